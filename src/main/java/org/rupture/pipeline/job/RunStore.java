package org.rupture.pipeline.job;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.ParentNotDirectoryException;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.PathAccessDeniedException;
import org.apache.hadoop.security.AccessControlException;

/**
 * The output folder as a store of runs (docs/operations.md, "Atomic publish"):
 * <pre>
 *   &lt;output&gt;/CURRENT           id of the published run (one line), replaced in one atomic step
 *   &lt;output&gt;/_LOCK             held while a run writes ({@link RunLock})
 *   &lt;output&gt;/runs/&lt;run_id&gt;/    one folder per run: curated/, restricted/, results/, history/, manifest.json
 * </pre>
 * A run writes only into its own folder and becomes visible when CURRENT names it. A reader resolves CURRENT
 * once and reads that folder, so it sees one complete run, never a mix of two or a partial write. All access
 * goes through the Hadoop FileSystem API, so the output may be a local path, {@code hdfs:} or {@code s3a:}.
 */
public final class RunStore {
  public static final String CURRENT = "CURRENT";
  public static final String LOCK = "_LOCK";
  public static final String RUNS = "runs";
  /** Object stores replace a whole object in one PUT, which is their atomic replace; they cannot rename. */
  private static final Set<String> OBJECT_STORES = Set.of("s3a", "s3", "gs", "abfs", "abfss", "wasb", "wasbs", "oss");

  private final String output;
  private final Path root;
  private final FileSystem fs;
  private final Configuration conf;

  public RunStore(String output, Configuration conf) {
    this.conf = conf;
    this.output = output.endsWith("/") ? output.substring(0, output.length() - 1) : output;
    try {
      Path p = new Path(output);
      this.fs = p.getFileSystem(conf);
      this.root = fs.makeQualified(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the output folder " + output, e);
    }
  }

  /** The folder of a run, spelt like the output folder was given (a path or URI). */
  public String runDir(String runId) {
    return output + "/" + RUNS + "/" + runId;
  }

  /** The published run's id, if any run has been published. */
  public Optional<String> current() {
    try (InputStream in = fs.open(new Path(root, CURRENT))) {
      String id = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
      return id.isEmpty() ? Optional.empty() : Optional.of(id);
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + new Path(root, CURRENT), e);
    }
  }

  /** Every run folder under runs/, by name. */
  public List<String> runIds() {
    try {
      FileStatus[] listed = fs.listStatus(new Path(root, RUNS));
      return Arrays.stream(listed).filter(FileStatus::isDirectory).map(s -> s.getPath().getName()).sorted().toList();
    } catch (FileNotFoundException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + new Path(root, RUNS), e);
    }
  }

  public boolean exists(String runId) {
    try {
      return fs.exists(new Path(runDir(runId)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + runDir(runId), e);
    }
  }

  /**
   * The output folder cannot be created or written: a path under a file, a folder without write permission.
   * Not a passing I/O failure (retrying does not help); the message says why, for the user to pass another.
   */
  public static final class OutputFolderException extends RuntimeException {
    public OutputFolderException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Takes the output's lock for a run ({@link RunLock}).
   *
   * @throws OutputFolderException when the file system refuses to create the output folder or its lock file
   */
  public RunLock lock(String runId, Duration staleAfter) {
    boolean made;
    try {
      made = fs.mkdirs(root);
    } catch (IOException e) {
      if (refused(e)) {
        throw new OutputFolderException("output folder " + output + " cannot be created (" + e.getMessage() + ")", e);
      }
      throw new UncheckedIOException("cannot create the output folder " + root, e);
    }
    if (!made) { // the local file system says no more than this (e.g. a folder under /proc)
      throw new OutputFolderException("output folder " + output + " cannot be created (the file system refused)", null);
    }
    try {
      return RunLock.acquire(fs, new Path(root, LOCK), runId, staleAfter);
    } catch (UncheckedIOException e) {
      if (refused(e.getCause())) {
        throw new OutputFolderException("output folder " + output + " cannot be written (" + e.getCause().getMessage()
            + ")", e);
      }
      throw e;
    }
  }

  /** Whether the file system refused for good (permissions, a file in the way), not for a passing failure. */
  private static boolean refused(IOException e) {
    return e instanceof ParentNotDirectoryException || e instanceof org.apache.hadoop.fs.FileAlreadyExistsException
        || e instanceof AccessControlException || e instanceof PathAccessDeniedException
        || e instanceof java.nio.file.AccessDeniedException || e instanceof java.nio.file.FileAlreadyExistsException;
  }

  /**
   * Makes a run the published one in one atomic step: a temporary file renamed over CURRENT (HDFS, local
   * and other file systems with an atomic rename), or on object stores one PUT replacing the object.
   */
  public void publish(String runId) {
    Path target = new Path(root, CURRENT);
    byte[] content = (runId + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      if (OBJECT_STORES.contains(root.toUri().getScheme())) {
        write(target, content);
        return;
      }
      Path temporary = new Path(root, "_" + CURRENT + "." + runId + ".tmp");
      write(temporary, content);
      FileContext.getFileContext(root.toUri(), conf).rename(temporary, target, Options.Rename.OVERWRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish run " + runId + " (replace " + target + ")", e);
    }
  }

  /** Deletes the run folders not in {@code keep}; returns the ids deleted. */
  public List<String> deleteAllBut(Collection<String> keep) {
    List<String> deleted = new ArrayList<>();
    for (String id : runIds()) {
      if (!keep.contains(id)) {
        delete(id);
        deleted.add(id);
      }
    }
    return deleted;
  }

  /** Deletes a run's folder (a failed run's partial output, or a run past retention). */
  public void delete(String runId) {
    try {
      fs.delete(new Path(runDir(runId)), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + runDir(runId), e);
    }
  }

  private void write(Path file, byte[] content) throws IOException {
    try (OutputStream out = fs.create(file, true)) {
      out.write(content);
    }
  }
}
