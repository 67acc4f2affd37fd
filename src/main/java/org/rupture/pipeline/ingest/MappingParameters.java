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

  static final StructType SESSION_SCHEMA = createStructType(List.of(
      createStructField("p_mapping_id", StringType, false),
      createStructField("p_decimal_comma", BooleanType, false),
      createStructField("p_date_formats", createArrayType(StringType), false),
      createStructField("p_rater_map", createMapType(StringType, StringType), false),
      createStructField("p_yes", createArrayType(StringType), false),
      createStructField("p_no", createArrayType(StringType), false),
      createStructField("p_ranges", createMapType(StringType, createArrayType(DoubleType)), false),
      createStructField("p_range_rupture_intensity", createArrayType(DoubleType), false),
      createStructField("p_range_rupture_resolution", createArrayType(DoubleType), false),
      createStructField("p_range_session_quality", createArrayType(DoubleType), false),
      createStructField("p_range_alliance", createArrayType(DoubleType), true),
      createStructField("p_alliance_columns", createArrayType(StringType), true),
      createStructField("p_columns", createMapType(StringType, StringType), false),
      createStructField("p_reverse", createArrayType(BooleanType), true),
      createStructField("p_min_items", IntegerType, true),
      createStructField("p_wide", BooleanType, false)));

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
   * Range arrays are [source min, source max, canonical min, canonical max]. The fixed fields get a
   * column each (an array index is compiled code; a map lookup per row and field is not cheap);
   * extra variables, which vary by mapping, stay in the {@code p_ranges} map.
   */
  static Dataset<Row> sessions(SparkSession spark, List<SiteMapping> mappings) {
    List<Row> rows = new ArrayList<>();
    for (SiteMapping m : mappings) {
      var s = m.sessions();
      if (s == null) {
        continue;
      }
      Map<String, Object> ranges = new LinkedHashMap<>();
      ranges.put("rupture_intensity", range(s.scales().get("rupture_intensity"), SiteMapping.INTENSITY_RANGE));
      ranges.put("rupture_resolution", range(s.scales().get("rupture_resolution"), SiteMapping.RESOLUTION_RANGE));
      ranges.put("session_quality", range(s.scales().get("session_quality"), SiteMapping.QUALITY_RANGE));
      if (s.alliance() != null) {
        ranges.put("alliance", range(s.alliance().scale(), SiteMapping.ALLIANCE_RANGE));
      }
      s.extras().forEach(e -> ranges.put(e.name(), range(e.scale(), e.target())));
      Map<String, String> raterMap = new LinkedHashMap<>();
      s.raterCodes().forEach((k, v) -> raterMap.put(k.toLowerCase(Locale.ROOT), v));
      Map<String, String> columns = new LinkedHashMap<>(s.columns());
      s.extras().forEach(e -> columns.put(e.name(), e.column()));
      if (s.alliance() != null) {
        columns.put("alliance", String.join("+", s.alliance().items()));
      }
      List<Boolean> reverse = s.alliance() == null ? null
          : s.alliance().items().stream().map(i -> s.alliance().reverse().contains(i)).toList();
      rows.add(RowFactory.create(m.id(), m.dialect().decimal() == ',', seq(m.dialect().dateFormats()),
          map(raterMap), seq(lower(s.yesNo().get("yes"))), seq(lower(s.yesNo().get("no"))), map(ranges),
          ranges.get("rupture_intensity"), ranges.get("rupture_resolution"), ranges.get("session_quality"),
          ranges.get("alliance"), s.alliance() == null ? null : seq(s.alliance().items()),
          map(columns), reverse == null ? null : seq(reverse),
          s.alliance() == null ? null : s.alliance().minItems(), s.layout() == SiteMapping.Layout.WIDE));
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
