package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

class RowStringsTest {
  @Test
  void comparesAsTheStringsDoInSparksRowFormatAndInGenericRows() {
    StructType schema = new StructType().add("a", DataTypes.LongType).add("s", DataTypes.StringType)
        .add("t", DataTypes.StringType);
    InternalRow generic = new GenericInternalRow(new Object[] {7L, UTF8String.fromString("site-007"),
        UTF8String.fromString("")});
    InternalRow unsafe = UnsafeProjection.create(schema).apply(generic).copy();
    for (InternalRow row : List.of(generic, unsafe)) {
      for (String other : List.of("site-007", "site-008", "site-00", "site-0077", "", "x")) {
        UTF8String s = UTF8String.fromString(other);
        String what = row.getClass().getSimpleName() + " " + other;
        assertEquals(row.getUTF8String(1).equals(s), RowStrings.equals(row, 1, s), what);
        assertEquals(row.getUTF8String(2).equals(s), RowStrings.equals(row, 2, s), what);
      }
    }
  }
}
