package org.rupture.pipeline.ingest;

import java.io.Serializable;
import java.util.ArrayList;
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
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Expression;
import org.apache.spark.sql.connector.expressions.Expressions;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.HasPartitionKey;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.SupportsReportPartitioning;
import org.apache.spark.sql.connector.read.partitioning.KeyGroupedPartitioning;
import org.apache.spark.sql.connector.read.partitioning.Partitioning;
import org.apache.spark.sql.connector.read.partitioning.UnknownPartitioning;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.SerializableConfiguration;
import org.rupture.pipeline.config.SiteMapping;

/**
 * Landed files as a Spark table of staged records ({@link StagedRows}), parsed in the executors by
 * {@link FileParser}, one input partition per site holding all of that site's files (every delivery),
 * or, with very many sites, size-balanced groups of files ({@link #MAX_SITES_PER_CORE}).
 *
 * <p>Why a data source rather than an RDD of rows: the scan tells Spark that its output is grouped by
 * site ({@link KeyGroupedPartitioning} on {@code site}). Every record key contains the site, so the
 * classifier's hash table over the keys, and the site-partitioned writes after it, run on the scan's
 * partitions as they are: no shuffle of the records, and one file per site and table. The scan also
 * hands Spark the internal rows the parser builds, with no conversion from external rows per record.
 *
 * <p>The files to read are handed over in the driver, through {@link #load}: Spark instantiates the
 * provider itself, so the request travels as an id into a registry that lives only while the
 * DataFrame is being created.
 */
public final class LandingSource implements TableProvider {
  /** Whether Spark uses a data source's reported partitioning (on in every session the job makes). */
  public static final String GROUPING_CONF = "spark.sql.sources.v2.bucketing.enabled";
  private static final String REQUEST = "request";
  private static final Map<String, Request> REQUESTS = new ConcurrentHashMap<>();

  /** What to read: the files, their mappings, the key hasher and the Hadoop configuration. */
  private record Request(StructType schema, List<SourceFile> files, Map<String, SiteMapping> mappings,
      KeyHasher hasher, SerializableConfiguration hadoopConf, boolean bySite, int minGroups) {}

  /**
   * Sites per core up to which the scan makes one partition per site. Every stage over the records then
   * runs a task per site; beyond this the tasks' overhead outweighs the shuffle they save (at 2,000
   * sites on two cores ingest took 380 s instead of 152 s), and the files are packed into
   * size-balanced partitions instead ({@link FileGroups}), which the classifier shuffles by site.
   */
  static final int MAX_SITES_PER_CORE = 128;

  /**
   * Whether the scan of {@code files} reports its records grouped by site, and Spark will use it
   * ({@link #GROUPING_CONF}): at most {@link #MAX_SITES_PER_CORE} sites per core.
   */
  static boolean groupsBySite(SparkSession spark, List<SourceFile> files) {
    long sites = files.stream().map(SourceFile::site).distinct().count();
    return Boolean.parseBoolean(spark.conf().get(GROUPING_CONF, "false"))
        && sites <= (long) MAX_SITES_PER_CORE * spark.sparkContext().defaultParallelism();
  }

  /**
   * The staged records of {@code files} (all of one kind, whose schema is {@code schema}), grouped by
   * site when {@link #groupsBySite} says so.
   */
  static Dataset<Row> load(SparkSession spark, StructType schema, List<SourceFile> files,
      Map<String, SiteMapping> mappings, KeyHasher hasher) {
    String id = UUID.randomUUID().toString();
    Map<String, SiteMapping> used = new TreeMap<>();
    files.forEach(f -> used.put(f.mappingId(), mappings.get(f.mappingId())));
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    REQUESTS.put(id, new Request(schema, List.copyOf(files), used, hasher, new SerializableConfiguration(conf),
        groupsBySite(spark, files), 4 * spark.sparkContext().defaultParallelism()));
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

  private static final class LandingScan implements Scan, Batch, SupportsReportPartitioning {
    private final Request request;
    private final List<InputPartition> partitions;

    LandingScan(Request request) {
      this.request = request;
      if (request.bySite()) {
        Map<String, List<SourceFile>> bySite = new TreeMap<>();
        request.files().forEach(f -> bySite.computeIfAbsent(f.site(), k -> new ArrayList<>()).add(f));
        this.partitions = bySite.entrySet().stream()
            .<InputPartition>map(e -> new SitePartition(e.getKey(), e.getValue())).toList();
      } else {
        this.partitions = FileGroups.pack(request.files(), request.minGroups(), FileGroups.TARGET_BYTES).stream()
            .<InputPartition>map(FileGroup::new).toList();
      }
    }

    @Override
    public StructType readSchema() {
      return request.schema();
    }

    @Override
    public String description() {
      return request.bySite() ? "landing files of " + partitions.size() + " sites, a partition each"
          : "landing files in " + partitions.size() + " groups";
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

    @Override
    public Partitioning outputPartitioning() {
      return request.bySite()
          ? new KeyGroupedPartitioning(new Expression[] {Expressions.identity("site")}, partitions.size())
          : new UnknownPartitioning(partitions.size());
    }
  }

  /** Files of several sites, packed by size. */
  private record FileGroup(List<SourceFile> files) implements InputPartition {}

  /** All files of one site; the site is the partition key. */
  private record SitePartition(String site, List<SourceFile> files) implements HasPartitionKey {
    @Override
    public InternalRow partitionKey() {
      return new GenericInternalRow(new Object[] {UTF8String.fromString(site)});
    }

    @Override
    public String[] preferredLocations() {
      return new String[0];
    }
  }

  private record ReaderFactory(StructType schema, Map<String, SiteMapping> mappings, KeyHasher hasher,
      SerializableConfiguration hadoopConf) implements PartitionReaderFactory, Serializable {
    @Override
    public PartitionReader<InternalRow> createReader(InputPartition partition) {
      List<SourceFile> files = partition instanceof SitePartition p ? p.files() : ((FileGroup) partition).files();
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
