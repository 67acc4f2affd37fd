package org.rupture.pipeline.ingest;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.unsafe.array.ByteArrayMethods;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * A string field of a Spark row compared without reading it as a string object. Spark 4's string
 * object sets four volatile fields when made (about 20 ns more than a plain object), and the ingest
 * compares a few fields of every record (its site, file, delivery, record type and status) mostly with
 * the value the record before it had.
 *
 * <p>In Spark's binary format (rows and arrays) a string field's long is its offset from the base
 * offset (high 32 bits) and its length in bytes (low 32 bits): {@link #base} and {@link #address} find
 * it as {@code getUTF8String} does, without the string object.
 */
final class RowStrings {
  private RowStrings() {}

  /** Whether the non-null string field {@code ordinal} of {@code row} equals {@code s}. */
  static boolean equals(InternalRow row, int ordinal, UTF8String s) {
    Object base = base(row);
    if (base != null) {
      long offsetAndSize = row.getLong(ordinal);
      int size = (int) offsetAndSize;
      return size == s.numBytes()
          && ByteArrayMethods.arrayEquals(base, address(row, offsetAndSize), s.getBaseObject(), s.getBaseOffset(), size);
    }
    return row.getUTF8String(ordinal).equals(s);
  }

  /** The base object of a row or array in Spark's binary format, or null for any other. */
  static Object base(SpecializedGetters values) {
    if (values instanceof UnsafeRow row) {
      return row.getBaseObject();
    }
    if (values instanceof UnsafeArrayData array) {
      return array.getBaseObject();
    }
    return null;
  }

  /**
   * Where in {@link #base} the string field whose long is {@code offsetAndSize} starts; its length in
   * bytes is {@code (int) offsetAndSize}. Only for values {@link #base} is not null of.
   */
  static long address(SpecializedGetters values, long offsetAndSize) {
    long baseOffset = values instanceof UnsafeRow row ? row.getBaseOffset() : ((UnsafeArrayData) values).getBaseOffset();
    return baseOffset + (offsetAndSize >> 32);
  }
}
