package org.rupture.pipeline.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A small result table built on the driver (aggregated results only), rendered as Parquet, CSV and JSON
 * with the same columns. Values are String, Long, Integer, Double or Boolean; a missing or undefined
 * number is null (never NaN) so that every format shows it as empty.
 *
 * @param name   file name stem under results/, e.g. {@code site_effects}
 * @param schema columns and types
 * @param rows   the rows
 */
public record ResultTable(String name, StructType schema, List<Row> rows) {

  public ResultTable {
    rows = List.copyOf(rows);
  }

  /** A nullable double: null for NaN and infinities. */
  public static Double number(double value) {
    return Double.isFinite(value) ? value : null;
  }

  /** Builds a schema from alternating column names and types. */
  public static StructType schema(Object... namesAndTypes) {
    StructType schema = new StructType();
    for (int i = 0; i < namesAndTypes.length; i += 2) {
      schema = schema.add((String) namesAndTypes[i], (DataType) namesAndTypes[i + 1], true);
    }
    return schema;
  }

  /** RFC 4180 CSV with a header line; null as an empty field. */
  public String toCsv() {
    StringBuilder sb = new StringBuilder();
    sb.append(java.util.Arrays.stream(schema.fieldNames()).map(ResultTable::csvField)
        .collect(Collectors.joining(","))).append('\n');
    for (Row row : rows) {
      for (int i = 0; i < row.length(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(row.isNullAt(i) ? "" : csvField(String.valueOf(row.get(i))));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** An array of objects keyed by column name; null values as JSON null. */
  public ArrayNode toJson() {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    for (Row row : rows) {
      ObjectNode object = array.addObject();
      StructField[] fields = schema.fields();
      for (int i = 0; i < fields.length; i++) {
        putValue(object, fields[i].name(), row.isNullAt(i) ? null : row.get(i));
      }
    }
    return array;
  }

  /** Puts a String, Long, Integer, Double or Boolean value (or null) into {@code object}. */
  static void putValue(ObjectNode object, String key, Object value) {
    if (value == null) {
      object.putNull(key);
    } else if (value instanceof Double d) {
      object.put(key, d);
    } else if (value instanceof Long l) {
      object.put(key, l);
    } else if (value instanceof Integer n) {
      object.put(key, n);
    } else if (value instanceof Boolean b) {
      object.put(key, b);
    } else {
      object.put(key, value.toString());
    }
  }

  private static String csvField(String value) {
    if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
      return value;
    }
    return '"' + value.replace("\"", "\"\"") + '"';
  }

  /** Column type shorthands. */
  public static final DataType TEXT = DataTypes.StringType;
  public static final DataType LONG = DataTypes.LongType;
  public static final DataType INT = DataTypes.IntegerType;
  public static final DataType DOUBLE = DataTypes.DoubleType;
  public static final DataType BOOL = DataTypes.BooleanType;
}
