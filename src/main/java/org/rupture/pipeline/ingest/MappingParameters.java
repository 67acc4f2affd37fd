package org.rupture.pipeline.ingest;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createMapType;
import static org.apache.spark.sql.types.DataTypes.createStructField;
import static org.apache.spark.sql.types.DataTypes.createStructType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.rupture.pipeline.config.SiteMapping;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The per-mapping parameters of the validation rules (code maps, scale ranges, decimal mark, date
 * formats) as a small table, one row per mapping, broadcast-joined to the staged rows. This keeps
 * every rule one Spark expression over columns instead of a CASE per mapping, so hundreds of sites
 * on a handful of mappings cost the same as one.
 */
final class MappingParameters {
  private MappingParameters() {}

  /** The fixed fields with a source scale, each with its four bound columns ({@link Rules.Range#columns}). */
  static final List<String> SCALED_FIELDS = List.of("rupture_intensity", "rupture_resolution", "session_quality",
      "alliance");

  /** The session parameters' schema: per scaled field four bound columns ({@link Rules.Range#columns}). */
  static final StructType SESSION_SCHEMA = sessionSchema();

  private static StructType sessionSchema() {
    List<org.apache.spark.sql.types.StructField> f = new ArrayList<>(List.of(
        createStructField("p_mapping_id", StringType, false),
        createStructField("p_decimal_comma", BooleanType, false),
        createStructField("p_date_formats", createArrayType(StringType), false),
        createStructField("p_rater_map", createMapType(StringType, StringType), false),
        createStructField("p_yes", createArrayType(StringType), false),
        createStructField("p_no", createArrayType(StringType), false),
        createStructField("p_ranges", createMapType(StringType, createArrayType(DoubleType)), false)));
    for (String field : SCALED_FIELDS) {
      Rules.Range r = Rules.Range.columns("p_range_" + field);
      for (String bound : List.of(r.low(), r.high(), r.targetLow(), r.targetHigh())) {
        f.add(createStructField(bound, DoubleType, field.equals("alliance")));
      }
    }
    f.add(createStructField("p_alliance_columns", createArrayType(StringType), true));
    f.add(createStructField("p_columns", createMapType(StringType, StringType), false));
    f.add(createStructField("p_reverse", createArrayType(BooleanType, false), true));
    f.add(createStructField("p_min_items", IntegerType, true));
    f.add(createStructField("p_wide", BooleanType, false));
    return createStructType(f);
  }

  static final StructType PATIENT_SCHEMA = createStructType(List.of(
      createStructField("p_mapping_id", StringType, false),
      createStructField("p_decimal_comma", BooleanType, false),
      createStructField("p_treatment_map", createMapType(StringType, StringType), false),
      createStructField("p_dropout_yes", createArrayType(StringType), false),
      createStructField("p_dropout_no", createArrayType(StringType), false),
      createStructField("p_phase_pre", createArrayType(StringType), false),
      createStructField("p_phase_post", createArrayType(StringType), false),
      createStructField("p_measures", createArrayType(StringType), false),
      createStructField("p_directions", createArrayType(StringType), false),
      createStructField("p_outcome_ranges", createArrayType(createArrayType(DoubleType), true), false),
      createStructField("p_columns", createMapType(StringType, StringType), false)));

  /**
   * One row per mapping with sessions. The fixed fields' scales are plain columns (an array index is
   * compiled code with its own bounds check at every use; a map lookup per row and field is not cheap);
   * extra variables, which vary by mapping, keep their [source min, source max, canonical min, canonical
   * max] in the {@code p_ranges} map. {@code p_reverse} says per alliance item whether it is reverse-keyed.
   */
  static Dataset<Row> sessions(SparkSession spark, List<SiteMapping> mappings) {
    List<Row> rows = new ArrayList<>();
    for (SiteMapping m : mappings) {
      var s = m.sessions();
      if (s == null) {
        continue;
      }
      Map<String, Object> ranges = new LinkedHashMap<>();
      // the extra variables' scales; the fixed fields' are columns of their own
      s.extras().forEach(e -> ranges.put(e.name(), range(e.scale(), e.target())));
      Map<String, String> raterMap = new LinkedHashMap<>();
      s.raterCodes().forEach((k, v) -> raterMap.put(k.toLowerCase(Locale.ROOT), v));
      Map<String, String> columns = new LinkedHashMap<>(s.columns());
      s.extras().forEach(e -> columns.put(e.name(), e.column()));
      if (s.alliance() != null) {
        columns.put("alliance", String.join("+", s.alliance().items()));
      }
      List<Object> values = new ArrayList<>(List.of(m.id(), m.dialect().decimal() == ',',
          seq(m.dialect().dateFormats()), map(raterMap), seq(lower(s.yesNo().get("yes"))),
          seq(lower(s.yesNo().get("no"))), map(ranges)));
      for (String field : SCALED_FIELDS) {
        double[] bounds = boundsOf(s, field);
        for (int b = 0; b < 4; b++) {
          values.add(bounds == null ? null : bounds[b]);
        }
      }
      values.add(s.alliance() == null ? null : seq(s.alliance().items()));
      values.add(map(columns));
      values.add(s.alliance() == null ? null
          : seq(s.alliance().items().stream().map(item -> s.alliance().reverse().contains(item)).toList()));
      values.add(s.alliance() == null ? null : s.alliance().minItems());
      values.add(s.layout() == SiteMapping.Layout.WIDE);
      rows.add(RowFactory.create(values.toArray()));
    }
    return spark.createDataFrame(rows, SESSION_SCHEMA);
  }

  static Dataset<Row> patients(SparkSession spark, List<SiteMapping> mappings) {
    List<Row> rows = new ArrayList<>();
    for (SiteMapping m : mappings) {
      var p = m.patients();
      if (p == null) {
        continue;
      }
      Map<String, String> treatments = new LinkedHashMap<>();
      p.treatmentCodes().forEach((k, v) -> treatments.put(k.toLowerCase(Locale.ROOT), v));
      List<String> measures = p.outcomes().stream().map(SiteMapping.OutcomeSpec::measure).toList();
      List<String> directions = p.outcomes().stream().map(SiteMapping.OutcomeSpec::direction).toList();
      List<Object> ranges = p.outcomes().stream()
          .map(o -> o.range() == null ? null : (Object) seq(List.of(o.range()[0], o.range()[1]))).toList();
      Map<String, String> columns = new LinkedHashMap<>(p.columns());
      p.outcomes().forEach(o -> columns.put(o.measure(), o.baseline() + "/" + o.termination()));
      rows.add(RowFactory.create(m.id(), m.dialect().decimal() == ',', map(treatments),
          seq(lower(p.dropoutCodes().get("yes"))), seq(lower(p.dropoutCodes().get("no"))),
          seq(lower(p.trainingPhaseCodes().get("pre"))), seq(lower(p.trainingPhaseCodes().get("post"))),
          seq(measures), seq(directions), seq(ranges), map(columns)));
    }
    return spark.createDataFrame(rows, PATIENT_SCHEMA);
  }

  /** [source min, source max, canonical min, canonical max] of a scaled field, null for no alliance items. */
  private static double[] boundsOf(SiteMapping.SessionsSpec s, String field) {
    if (field.equals("alliance")) {
      return s.alliance() == null ? null : bounds(s.alliance().scale(), SiteMapping.ALLIANCE_RANGE);
    }
    double[] target = switch (field) {
      case "rupture_intensity" -> SiteMapping.INTENSITY_RANGE;
      case "rupture_resolution" -> SiteMapping.RESOLUTION_RANGE;
      default -> SiteMapping.QUALITY_RANGE;
    };
    return bounds(s.scales().get(field), target);
  }

  private static double[] bounds(double[] source, double[] target) {
    return new double[] {source[0], source[1], target[0], target[1]};
  }

  private static Object range(double[] source, double[] target) {
    return seq(List.of(source[0], source[1], target[0], target[1]));
  }

  private static List<String> lower(List<String> codes) {
    return codes.stream().map(c -> c.trim().toLowerCase(Locale.ROOT)).toList();
  }

  private static <T> scala.collection.immutable.Seq<T> seq(List<T> list) {
    return CollectionConverters.asScala(list).toList();
  }

  private static <K, V> scala.collection.Map<K, V> map(Map<K, V> m) {
    return CollectionConverters.asScala(m);
  }
}
