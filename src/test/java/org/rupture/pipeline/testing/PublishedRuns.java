package org.rupture.pipeline.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Reads and compares published runs ({@code <output>/CURRENT} -> {@code <output>/runs/<id>}).
 *
 * <p>Two runs hold the same data when every curated, restricted and result table has the same rows, ignoring
 * the {@code run_id} lineage column. Text, integer and boolean values must be equal; doubles may differ by
 * floating-point rounding only ({@link #DOUBLE_TOLERANCE}): aggregates are summed in an order that depends on
 * how Spark partitioned the data (embedded local[*] versus a cluster, or a recomputed task), which changes the
 * last bits of a sum but nothing a researcher can see; the statistics themselves are checked against R at 1e-6.
 */
public final class PublishedRuns {
  /** Relative difference allowed between doubles, plus 1e-12 absolute for values near zero. */
  public static final double DOUBLE_TOLERANCE = 1e-9;
  /** Every table of a run that holds data, relative to the run folder. */
  public static final List<String> TABLES = List.of("curated/session_ratings", "curated/patients",
      "curated/outcomes", "curated/patient_process", "curated/patient_outcomes", "restricted/quarantine",
      "restricted/field_issues", "results/site_effects", "results/pooled");

  private PublishedRuns() {}

  /** The id CURRENT names; fails when nothing is published. */
  public static String currentId(Path output) {
    try {
      return Files.readString(output.resolve("CURRENT")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("no CURRENT under " + output, e);
    }
  }

  /** The published run's folder. */
  public static Path current(Path output) {
    return output.resolve("runs").resolve(currentId(output));
  }

  /** The run folders under runs/, by name. */
  public static List<String> runIds(Path output) {
    try (var s = Files.list(output.resolve("runs"))) {
      return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Asserts that two run folders hold the same data in every table (see the class comment). */
  public static void assertSameData(SparkSession spark, Path expected, Path actual) {
    for (String table : TABLES) {
      assertSameRows(table, rows(spark, expected.resolve(table)), rows(spark, actual.resolve(table)));
    }
  }

  /** A table's rows without run_id, columns by name, sorted by their non-double values. */
  public static List<Row> rows(SparkSession spark, Path table) {
    assertTrue(Files.isDirectory(table), "missing table " + table);
    var ds = spark.read().parquet(table.toString());
    String[] columns = Arrays.stream(ds.columns()).filter(c -> !c.equals("run_id")).sorted().toArray(String[]::new);
    var selected = ds.select(Arrays.stream(columns).map(ds::col).toArray(Column[]::new));
    StructField[] fields = selected.schema().fields();
    List<Row> rows = new ArrayList<>(selected.collectAsList());
    rows.sort(Comparator.comparing(r -> sortKey(r, fields)));
    return rows;
  }

  private static String sortKey(Row r, StructField[] fields) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < fields.length; i++) {
      if (!fields[i].dataType().equals(DataTypes.DoubleType)) {
        sb.append(r.isNullAt(i) ? "\u0000" : String.valueOf(r.get(i))).append('\u0001');
      }
    }
    return sb.toString();
  }

  private static void assertSameRows(String table, List<Row> expected, List<Row> actual) {
    assertEquals(expected.size(), actual.size(), table + ": row count");
    if (!expected.isEmpty()) {
      assertEquals(expected.get(0).schema(), actual.get(0).schema(), table + ": columns");
    }
    for (int i = 0; i < expected.size(); i++) {
      Row e = expected.get(i);
      Row a = actual.get(i);
      for (int c = 0; c < e.length(); c++) {
        Object x = e.get(c);
        Object y = a.get(c);
        if (x instanceof Double dx && y instanceof Double dy) {
          double allowed = 1e-12 + DOUBLE_TOLERANCE * Math.max(Math.abs(dx), Math.abs(dy));
          if (!(Math.abs(dx - dy) <= allowed) && !(dx.isNaN() && dy.isNaN())) {
            fail(table + " row " + i + " column " + e.schema().fields()[c].name() + ": " + dx + " != " + dy);
          }
        } else if (!Objects.equals(normalise(x), normalise(y))) {
          fail(table + " row " + i + " column " + e.schema().fields()[c].name() + ": " + x + " != " + y);
        }
      }
    }
  }

  /** Spark returns arrays and maps as Scala collections; compare them by their Java string form. */
  private static Object normalise(Object value) {
    return value instanceof scala.collection.Iterable<?> ? value.toString() : value;
  }
}
