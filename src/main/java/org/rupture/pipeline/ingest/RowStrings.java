package org.rupture.pipeline.ingest;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.unsafe.array.ByteArrayMethods;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * A string field of a Spark row compared without reading it as a string object. Spark 4's string
 * object sets four volatile fields when made (about 20 ns more than a plain object), and the ingest
 * compares a few fields of every record (its site, file, delivery, record type and status) mostly with
 * the value the record before it had.
 */
final class RowStrings {
  private RowStrings() {}

  /** Whether the non-null string field {@code ordinal} of {@code row} equals {@code s}. */
  static boolean equals(InternalRow row, int ordinal, UTF8String s) {
    if (row instanceof UnsafeRow unsafe) {
      // the field's place, as UnsafeRow.getUTF8String finds it, without the string object
      long offsetAndSize = unsafe.getLong(ordinal);
      int size = (int) offsetAndSize;
      return size == s.numBytes() && ByteArrayMethods.arrayEquals(unsafe.getBaseObject(),
          unsafe.getBaseOffset() + (offsetAndSize >> 32), s.getBaseObject(), s.getBaseOffset(), size);
    }
    return row.getUTF8String(ordinal).equals(s);
  }
}
