package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

class PackedItemsTest {
  /** The items read back, null for an item not given. */
  private static List<String> unpack(byte[] packed) {
    List<String> out = new ArrayList<>();
    PackedItems.Cursor c = new PackedItems.Cursor(packed);
    while (c.next()) {
      out.add(c.given() ? c.text().toString() : null);
    }
    return out;
  }

  @Test
  void itemsReadBackInOrderWithTheNotGivenOnes() {
    String longItem = "x".repeat(70_000);   // longer than any one-byte or two-byte length
    List<String> items = Arrays.asList("4", null, "", "2,5", null, "äöü", longItem, null);
    Object[] elements = items.stream().map(s -> s == null ? null : UTF8String.fromString(s)).toArray();
    assertEquals(items, unpack(PackedItems.pack(new GenericArrayData(elements))));
    assertEquals(List.of(), unpack(PackedItems.pack(new GenericArrayData(new Object[0]))));
  }

  @Test
  void builderIsReusedFromOneRatingToTheNext() {
    PackedItems.Builder b = new PackedItems.Builder();
    byte[] line = "a,bb,ccc".getBytes(StandardCharsets.US_ASCII);
    b.add(line, org.apache.spark.unsafe.Platform.BYTE_ARRAY_OFFSET + 2, 2);
    b.addNotGiven();
    assertTrue(b.anyGiven());
    assertEquals(Arrays.asList("bb", null), unpack(b.build()));
    b.reset();
    b.addNotGiven();
    assertFalse(b.anyGiven());
    assertEquals(Arrays.asList((String) null), unpack(b.build()));
  }
}
