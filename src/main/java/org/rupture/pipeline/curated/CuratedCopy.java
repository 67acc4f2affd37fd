package org.rupture.pipeline.curated;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Copies folders of one run into another (what {@code analyze} carries over from the published run: the curated
 * tables and the restricted folder). The driver lists the folders and makes them; the files are copied by the
 * executors, a group of files a task, so that a large cohort's curated data (gigabytes on a cluster) does not
 * stream through the driver one file after the other.
 */
public final class CuratedCopy {
  private CuratedCopy() {}

  /**
   * Copies each {@code from[i]} folder, with everything under it, to {@code to[i]}.
   *
   * @throws UncheckedIOException when a source folder is missing or cannot be listed, or a copy fails
   */
  public static void copy(SparkSession spark, List<String> from, List<String> to) {
    Configuration hadoopConf = spark.sparkContext().hadoopConfiguration();
    List<String[]> files = new ArrayList<>();
    try {
      for (int i = 0; i < from.size(); i++) {
        Path source = new Path(from.get(i));
        Path target = new Path(to.get(i));
        FileSystem fs = source.getFileSystem(hadoopConf);
        // folders made on the driver (a folder may hold no file), files listed to be copied in the executors; a
        // table has a folder per site, each listed and made on a few threads (DriverIo)
        mkdirs(fs, target);
        for (List<String[]> found : DriverIo.map(List.of(fs.listStatus(source)), child -> {
          List<String[]> under = new ArrayList<>();
          walk(fs, child, new Path(target, child.getPath().getName()), under);
          return under;
        })) {
          files.addAll(found);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + String.join(", ", from) + ": " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      return;
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(hadoopConf));
    int tasks = Math.min(files.size(), 4 * jsc.defaultParallelism());
    try {
      jsc.parallelize(files, tasks).foreachPartition(pairs -> {
        Configuration c = conf.value().value();
        while (pairs.hasNext()) {
          String[] pair = pairs.next();
          Path source = new Path(pair[0]);
          Path target = new Path(pair[1]);
          if (!FileUtil.copy(source.getFileSystem(c), source, target.getFileSystem(c), target, false, true, c)) {
            throw new IOException("cannot copy " + source + " to " + target);
          }
        }
      });
    } finally {
      conf.destroy();
    }
  }

  private static void walk(FileSystem fs, FileStatus status, Path target, List<String[]> files) throws IOException {
    if (!status.isDirectory()) {
      files.add(new String[] {status.getPath().toString(), target.toString()});
      return;
    }
    mkdirs(fs, target);
    for (FileStatus child : fs.listStatus(status.getPath())) {
      walk(fs, child, new Path(target, child.getPath().getName()), files);
    }
  }

  private static void mkdirs(FileSystem fs, Path folder) throws IOException {
    if (!fs.mkdirs(folder)) {
      throw new IOException("cannot make " + folder);
    }
  }
}
