package org.rupture.pipeline.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.sql.execution.datasources.parquet.ParquetWriteSupport;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;

/**
 * Spark's Parquet {@link WriteSupport} with one difference: a text value of a row in Spark's binary
 * format is handed to Parquet as a view of the row's bytes. Spark's own writer reads each text value as
 * a string object and copies its bytes out; Spark 4's string object sets four volatile fields when
 * made, and with the copy that was a fifth of the ingest's Parquet writing (JFR, benchmark cohort).
 *
 * <p>Everything else is Spark's: {@link #init} is {@link ParquetWriteSupport#init}'s (the same Parquet
 * schema and footer metadata), and the values reach Parquet as the same calls in the same order, for the
 * standard (non-legacy) layout of lists and maps. The ingest's tables use it when {@link #supports}
 * their row type; any other table keeps Spark's writer.
 */
public final class RowWriteSupport extends WriteSupport<InternalRow> {
  private static final String LEGACY_FORMAT = "spark.sql.parquet.writeLegacyFormat";
  /** Parsed row types by their JSON: every file a task writes would otherwise parse it again. */
  private static final Map<String, StructType> SCHEMAS = new ConcurrentHashMap<>();

  private final ParquetWriteSupport spark = new ParquetWriteSupport();
  private RecordConsumer consumer;
  private StructWriter root;

  /** A value's writer: writes field {@code ordinal} of {@code row}, known not to be null. */
  private interface ValueWriter {
    void write(SpecializedGetters row, int ordinal);
  }

  /**
   * Whether rows of {@code type} can be written by this class: only the types it writes itself, and
   * only where Spark writes the standard layout and dates as they are (no calendar rebasing).
   */
  public static boolean supports(StructType type, SQLConf conf) {
    return !conf.writeLegacyParquetFormat()
        && "CORRECTED".equals(String.valueOf(conf.getConf(SQLConf.PARQUET_REBASE_MODE_IN_WRITE())))
        && supports(type);
  }

  private static boolean supports(DataType type) {
    if (type instanceof StructType struct) {
      for (StructField f : struct.fields()) {
        if (!supports(f.dataType())) {
          return false;
        }
      }
      return true;
    }
    if (type instanceof ArrayType array) {
      return supports(array.elementType());
    }
    if (type instanceof MapType map) {
      return supports(map.keyType()) && supports(map.valueType());
    }
    return type instanceof StringType || type instanceof BooleanType || type instanceof ByteType
        || type instanceof ShortType || type instanceof IntegerType || type instanceof DateType
        || type instanceof LongType || type instanceof FloatType || type instanceof DoubleType;
  }

  @Override
  public WriteContext init(Configuration configuration) {
    if (Boolean.parseBoolean(configuration.get(LEGACY_FORMAT, "false"))) {
      throw new IllegalStateException(getClass().getSimpleName() + " writes the standard Parquet layout only;"
          + " " + LEGACY_FORMAT + " is true");
    }
    WriteContext context = spark.init(configuration);
    StructType type = SCHEMAS.computeIfAbsent(configuration.get(ParquetWriteSupport.SPARK_ROW_SCHEMA()),
        json -> (StructType) DataType.fromJson(json));
    root = new StructWriter(type);
    return context;
  }

  @Override
  public void prepareForWrite(RecordConsumer recordConsumer) {
    this.consumer = recordConsumer;
  }

  @Override
  public void write(InternalRow row) {
    consumer.startMessage();
    root.writeFields(row);
    consumer.endMessage();
  }

  private ValueWriter writer(DataType type) {
    if (type instanceof StringType) {
      return this::writeText;
    }
    if (type instanceof BooleanType) {
      return (row, i) -> consumer.addBoolean(row.getBoolean(i));
    }
    if (type instanceof ByteType) {
      return (row, i) -> consumer.addInteger(row.getByte(i));
    }
    if (type instanceof ShortType) {
      return (row, i) -> consumer.addInteger(row.getShort(i));
    }
    if (type instanceof IntegerType || type instanceof DateType) {
      return (row, i) -> consumer.addInteger(row.getInt(i));
    }
    if (type instanceof LongType) {
      return (row, i) -> consumer.addLong(row.getLong(i));
    }
    if (type instanceof FloatType) {
      return (row, i) -> consumer.addFloat(row.getFloat(i));
    }
    if (type instanceof DoubleType) {
      return (row, i) -> consumer.addDouble(row.getDouble(i));
    }
    if (type instanceof StructType struct) {
      StructWriter fields = new StructWriter(struct);
      return (row, i) -> {
        consumer.startGroup();
        fields.writeFields(row.getStruct(i, fields.names.length));
        consumer.endGroup();
      };
    }
    if (type instanceof ArrayType array) {
      return listWriter(writer(array.elementType()));
    }
    if (type instanceof MapType map) {
      return mapWriter(writer(map.keyType()), writer(map.valueType()));
    }
    throw new IllegalArgumentException("no Parquet writer for " + type.simpleString()
        + " (RowWriteSupport.supports should have sent this table to Spark's writer)");
  }

  /**
   * A text value: for rows and arrays in Spark's binary format on the heap, a view of their bytes (its
   * place found as {@code getUTF8String} finds it); otherwise its bytes, as Spark's writer takes them.
   */
  private void writeText(SpecializedGetters row, int ordinal) {
    if (RowStrings.base(row) instanceof byte[] bytes) {
      long offsetAndSize = row.getLong(ordinal);
      int start = (int) (RowStrings.address(row, offsetAndSize) - Platform.BYTE_ARRAY_OFFSET);
      consumer.addBinary(Binary.fromReusedByteArray(bytes, start, (int) offsetAndSize));
    } else {
      consumer.addBinary(Binary.fromReusedByteArray(row.getUTF8String(ordinal).getBytes()));
    }
  }

  /** Standard three-level list: {@code group (LIST) { repeated group list { element } }}. */
  private ValueWriter listWriter(ValueWriter element) {
    return (row, ordinal) -> {
      ArrayData array = row.getArray(ordinal);
      repeatedGroup("list", array.numElements(), i -> {
        if (!array.isNullAt(i)) {
          field("element", 0, element, array, i);
        }
      });
    };
  }

  /** Standard map: {@code group (MAP) { repeated group key_value { key; value } }}. */
  private ValueWriter mapWriter(ValueWriter key, ValueWriter value) {
    return (row, ordinal) -> {
      MapData map = row.getMap(ordinal);
      ArrayData keys = map.keyArray();
      ArrayData values = map.valueArray();
      repeatedGroup("key_value", map.numElements(), i -> {
        field("key", 0, key, keys, i);
        if (!values.isNullAt(i)) {
          field("value", 1, value, values, i);
        }
      });
    };
  }

  /** A group holding {@code n} repetitions of the group {@code name} (none, not an empty one, for n = 0). */
  private void repeatedGroup(String name, int n, IntConsumer each) {
    consumer.startGroup();
    if (n > 0) {
      consumer.startField(name, 0);
      for (int i = 0; i < n; i++) {
        consumer.startGroup();
        each.accept(i);
        consumer.endGroup();
      }
      consumer.endField(name, 0);
    }
    consumer.endGroup();
  }

  private void field(String name, int index, ValueWriter writer, SpecializedGetters values, int ordinal) {
    consumer.startField(name, index);
    writer.write(values, ordinal);
    consumer.endField(name, index);
  }

  /** The fields of a struct (or of the row itself): each non-null field as a Parquet field. */
  private final class StructWriter {
    final String[] names;
    final ValueWriter[] writers;

    StructWriter(StructType type) {
      StructField[] fields = type.fields();
      names = new String[fields.length];
      writers = new ValueWriter[fields.length];
      for (int i = 0; i < fields.length; i++) {
        names[i] = fields[i].name();
        writers[i] = writer(fields[i].dataType());
      }
    }

    void writeFields(InternalRow row) {
      for (int i = 0; i < names.length; i++) {
        if (!row.isNullAt(i)) {
          field(names[i], i, writers[i], row, i);
        }
      }
    }
  }
}
