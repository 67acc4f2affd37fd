package org.rupture.pipeline.ingest;

import static org.apache.spark.sql.types.DataTypes.BinaryType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createMapType;
import static org.apache.spark.sql.types.DataTypes.createStructField;
import static org.apache.spark.sql.types.DataTypes.createStructType;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The staging schemas: what the executors' file parser emits, all values still raw strings (missing
 * codes already turned into null, identifiers already hashed). Typing and validation happen after, in
 * Spark expressions ({@link SessionRules}, {@link PatientRules}).
 *
 * <p>Besides data records ({@code record_type = 'data'}) each file yields one {@code 'file'} record
 * with its checksum and line counts, so the manifest needs no second read of the input.
 */
public final class StagedRows {
  public static final String DATA = "data";
  public static final String FILE = "file";

  private StagedRows() {}

  private static List<StructField> lineage() {
    List<StructField> f = new ArrayList<>();
    f.add(createStructField("record_type", StringType, false));
    f.add(createStructField("site", StringType, false));
    f.add(createStructField("delivery", StringType, false));
    f.add(createStructField("source_file", StringType, false));
    f.add(createStructField("source_row", LongType, true));
    f.add(createStructField("mapping_id", StringType, false));
    f.add(createStructField("parse_error", StringType, true));
    f.add(createStructField("raw_line", StringType, true));
    f.add(createStructField("patient_key", StringType, true));
    f.add(createStructField("therapist_key", StringType, true));
    return f;
  }

  private static List<StructField> fileSummary() {
    return List.of(
        createStructField("file_checksum", StringType, true),
        createStructField("file_rows", LongType, true),
        createStructField("file_lines", LongType, true));
  }

  public static final StructType SESSIONS;
  public static final StructType PATIENTS;

  static {
    List<StructField> s = lineage();
    for (String f : List.of("session_raw", "date_raw", "rater_raw", "present_raw", "intensity_raw",
        "resolution_raw", "quality_raw")) {
      s.add(createStructField(f, StringType, true));
    }
    s.add(createStructField("alliance_items", BinaryType, true));   // PackedItems
    s.add(createStructField("extras", createMapType(StringType, StringType, true), true));
    // wide records only: the session's header column by the mapping's column name (FileLayout.wideColumnNames)
    s.add(createStructField("wide_columns", createMapType(StringType, StringType, false), true));
    s.addAll(fileSummary());
    SESSIONS = createStructType(s);

    List<StructField> p = lineage();
    for (String f : List.of("treatment_raw", "dropout_raw", "sessions_attended_raw", "phase_raw")) {
      p.add(createStructField(f, StringType, true));
    }
    p.add(createStructField("baseline_raw", createArrayType(StringType, true), true));
    p.add(createStructField("termination_raw", createArrayType(StringType, true), true));
    p.addAll(fileSummary());
    PATIENTS = createStructType(p);
  }
}
