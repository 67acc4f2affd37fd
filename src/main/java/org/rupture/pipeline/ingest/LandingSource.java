package org.rupture.pipeline.ingest;

import java.io.Serializable;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.apache.spark.util.SerializableConfiguration;
import org.rupture.pipeline.config.SiteMapping;

/**
 * Landed files as a Spark table of staged records ({@link StagedRows}), parsed in the executors by
 * {@link FileParser}. Every input partition holds whole sites, all files of a site (every delivery)
 * read one after the other, sites packed into size-balanced groups ({@link FileGroups#packBySite}).
 *
 * <p>Why a data source rather than an RDD of rows: it hands Spark the internal rows the parser builds,
 * with no conversion from external rows per record, and the rules that follow are ordinary Spark
 * expressions over a table. Why whole sites per partition: every record key contains the site, so the
 * classifier ({@link RecordClassifier}) and the site-partitioned writes after it work on the scan's
 * partitions as they are, a site at a time: no shuffle of the records, one file per site and table,
 * and a task holds one site's records, not its whole partition's.
 *
 * <p>The files to read are handed over in the driver, through {@link #load}: Spark instantiates the
 * provider itself, so the request travels as an id into a registry that lives only while the
 * DataFrame is being created.
 */
public final class LandingSource implements TableProvider {
  private static final String REQUEST = "request";
  private static final Map<String, Request> REQUESTS = new ConcurrentHashMap<>();

  /** What to read: the files, their mappings, the key hasher and the Hadoop configuration. */
  private record Request(StructType schema, List<SourceFile> files, Map<String, SiteMapping> mappings,
      KeyHasher hasher, SerializableConfiguration hadoopConf, int cores) {}

  /**
   * The staged records of {@code files} (all of one kind, whose schema is {@code schema}); each
   * partition holds whole sites, site after site.
   */
  static Dataset<Row> load(SparkSession spark, StructType schema, List<SourceFile> files,
      Map<String, SiteMapping> mappings, KeyHasher hasher) {
    String id = UUID.randomUUID().toString();
    Map<String, SiteMapping> used = new TreeMap<>();
    files.forEach(f -> used.put(f.mappingId(), mappings.get(f.mappingId())));
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    REQUESTS.put(id, new Request(schema, List.copyOf(files), used, hasher, new SerializableConfiguration(conf),
        spark.sparkContext().defaultParallelism()));
    try {
      return spark.read().format(LandingSource.class.getName()).option(REQUEST, id).load();
    } finally {
      REQUESTS.remove(id);
    }
  }

  private static Request request(Map<String, String> options) {
    Request r = REQUESTS.get(options.get(REQUEST));
    if (r == null) {
      throw new IllegalStateException("LandingSource is read only through LandingSource.load");
    }
    return r;
  }

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    return request(options).schema();
  }

  @Override
  public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
    return new LandingTable(request(properties));
  }

  private static final class LandingTable implements Table, SupportsRead {
    private final Request request;

    LandingTable(Request request) {
      this.request = request;
    }

    @Override
    public String name() {
      return "landing(" + request.files().size() + " files)";
    }

    @Override
    public StructType schema() {
      return request.schema();
    }

    @Override
    public Set<TableCapability> capabilities() {
      return EnumSet.of(TableCapability.BATCH_READ);
    }

    @Override
    public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
      return () -> new LandingScan(request);
    }
  }

  private static final class LandingScan implements Scan, Batch {
    private final Request request;
    private final List<InputPartition> partitions;

    LandingScan(Request request) {
      this.request = request;
      this.partitions = FileGroups.packBySite(request.files(), 4 * request.cores(), FileGroups.TARGET_BYTES,
              request.cores()).stream()
          .<InputPartition>map(FileGroup::new).toList();
    }

    @Override
    public StructType readSchema() {
      return request.schema();
    }

    @Override
    public String description() {
      return "landing files in " + partitions.size() + " groups of whole sites";
    }

    @Override
    public Batch toBatch() {
      return this;
    }

    @Override
    public InputPartition[] planInputPartitions() {
      return partitions.toArray(InputPartition[]::new);
    }

    @Override
    public PartitionReaderFactory createReaderFactory() {
      return new ReaderFactory(request.schema(), request.mappings(), request.hasher(), request.hadoopConf());
    }
  }

  /** Whole sites' files, a site's files one after the other. */
  private record FileGroup(List<SourceFile> files) implements InputPartition {}

  private record ReaderFactory(StructType schema, Map<String, SiteMapping> mappings, KeyHasher hasher,
      SerializableConfiguration hadoopConf) implements PartitionReaderFactory, Serializable {
    @Override
    public PartitionReader<InternalRow> createReader(InputPartition partition) {
      List<SourceFile> files = ((FileGroup) partition).files();
      Configuration conf = hadoopConf.value();
      FileParser[] open = new FileParser[1];
      Iterator<InternalRow> rows = FileGroups.concat(files, f -> open[0] = new FileParser(f, mappings.get(f.mappingId()), hasher, conf));
      return new PartitionReader<>() {
        private InternalRow current;

        @Override
        public boolean next() {
          if (!rows.hasNext()) {
            return false;
          }
          current = rows.next();
          return true;
        }

        @Override
        public InternalRow get() {
          return current;
        }

        @Override
        public void close() throws java.io.IOException {
          // a parser closes its file after the last record; this covers a task that stops early
          if (open[0] != null) {
            open[0].close();
          }
        }
      };
    }
  }
}
