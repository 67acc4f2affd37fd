package org.rupture.pipeline.ingest;

import java.util.Arrays;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The staged form of one rating's alliance items ({@code alliance_items}, BINARY): per item in mapping
 * order a 4-byte big-endian length and that many bytes of its trimmed raw text (UTF-8), or the length
 * -1 for an item not given (blank or a missing code).
 *
 * <p>Why not an array of strings: a rating has a dozen items, and each array element became a Spark
 * string object twice, once in the parser and once when the rules' generated code read it back from
 * Spark's row; Spark 4's string object sets four volatile fields on construction, about 20 ns each
 * time. With the items in one value the parser copies bytes and {@link FieldFunctions#alliance} reads
 * them in place: a string object is made only for an item the rules report as a field issue.
 */
public final class PackedItems {
  private static final int NOT_GIVEN = -1;

  private PackedItems() {}

  /** Packs items one after the other into a buffer reused from one rating to the next. */
  public static final class Builder {
    private byte[] buf = new byte[256];
    private int len;
    private boolean anyGiven;

    /** Starts the next rating's items. */
    public void reset() {
      len = 0;
      anyGiven = false;
    }

    /** An item not given. */
    public void addNotGiven() {
      putInt(NOT_GIVEN);
    }

    /** An item's raw text: {@code n} bytes of {@code base} from {@code offset} (Spark's {@link Platform} addressing). */
    public void add(Object base, long offset, int n) {
      putInt(n);
      ensure(n);
      Platform.copyMemory(base, offset, buf, Platform.BYTE_ARRAY_OFFSET + len, n);
      len += n;
      anyGiven = true;
    }

    /** Whether any item since {@link #reset} was given. */
    public boolean anyGiven() {
      return anyGiven;
    }

    /** The packed items since {@link #reset}. */
    public byte[] build() {
      return Arrays.copyOf(buf, len);
    }

    private void putInt(int v) {
      ensure(4);
      buf[len] = (byte) (v >>> 24);
      buf[len + 1] = (byte) (v >>> 16);
      buf[len + 2] = (byte) (v >>> 8);
      buf[len + 3] = (byte) v;
      len += 4;
    }

    private void ensure(int more) {
      if (len + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
      }
    }
  }

  /** Packs an array of strings (a null element is an item not given): the SQL function {@code rupture_pack_items}. */
  public static byte[] pack(ArrayData items) {
    Builder b = new Builder();
    for (int i = 0; i < items.numElements(); i++) {
      if (items.isNullAt(i)) {
        b.addNotGiven();
      } else {
        UTF8String s = items.getUTF8String(i);
        b.add(s.getBaseObject(), s.getBaseOffset(), s.numBytes());
      }
    }
    return b.build();
  }

  /** Reads packed items in order: {@link #next} moves to the next item, whose bounds the accessors give. */
  public static final class Cursor {
    private final byte[] packed;
    private int pos;
    private int start;
    private int length;

    public Cursor(byte[] packed) {
      this.packed = packed;
    }

    /** Moves to the next item; false after the last. */
    public boolean next() {
      if (length > 0) {
        pos += length;
      }
      if (pos >= packed.length) {
        return false;
      }
      length = ((packed[pos] & 0xff) << 24) | ((packed[pos + 1] & 0xff) << 16) | ((packed[pos + 2] & 0xff) << 8)
          | (packed[pos + 3] & 0xff);
      pos += 4;
      start = pos;
      return true;
    }

    /** Whether the current item was given. */
    public boolean given() {
      return length != NOT_GIVEN;
    }

    /** The packed bytes, which the current item's text is part of. */
    public byte[] bytes() {
      return packed;
    }

    /** Where the current item's text starts in {@link #bytes}. */
    public int start() {
      return start;
    }

    /** The current item's text's length in bytes; only when {@link #given}. */
    public int length() {
      return length;
    }

    /** The current item's text as a Spark string (a view of the packed bytes); only when {@link #given}. */
    public UTF8String text() {
      return UTF8String.fromBytes(packed, start, length);
    }
  }
}
