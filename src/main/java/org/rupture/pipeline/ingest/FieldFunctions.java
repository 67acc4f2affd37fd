package org.rupture.pipeline.ingest;

import static org.apache.spark.sql.types.DataTypes.BinaryType;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.objects.StaticInvoke;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.sql.types.AbstractDataType;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * SQL functions of the field rules that are Java methods, called from Spark's generated code
 * ({@link StaticInvoke}, the way Spark's own functions call their helpers).
 *
 * <p>Why: whole-stage codegen compiles all the session rules into one Java method, and HotSpot's
 * optimising compiler (C2) gives up on such a method at about 10 kB of bytecode ("out of nodes"); the
 * rules then ran as unoptimised code. The number parse, written as {@code nanvl(try_cast(CASE WHEN
 * decimal comma THEN replace(raw, ',', '.') ELSE raw END AS DOUBLE), NULL)}, and the alliance items'
 * check, reverse-keying and sum, unrolled per item position, were most of that method (17.9 kB); each
 * is one call here. {@code array_compact}, a higher-order function, cannot be generated code at all:
 * it cut the rules into a compiled and a separately projected part, with a wide intermediate row
 * copied in between. With these three the rules are one stage of 10.6 kB, which C2 compiles.
 *
 * <p>The semantics are Spark's: {@link #number} reads a string as {@code try_cast(... AS DOUBLE)} does
 * (Java's {@code Double.parseDouble}, then Spark's special literals such as {@code inf}), which
 * FieldFunctionsTest checks value by value against the SQL it replaces, with one deliberate exception:
 * what is Java syntax and no data export's ({@code 4f}, {@code 2d}, hex floats such as {@code 0x1p2}) is
 * not a number ({@link #decimal}).
 */
public final class FieldFunctions {
  private FieldFunctions() {}

  /** The element type of the field-issue arrays ({@link Rules#issue}): field, source column, raw value, reason. */
  static final StructType ISSUE = new StructType().add("field", StringType).add("source_column", StringType)
      .add("raw_value", StringType).add("reason", StringType);

  /** {@link #alliance}'s result: valid items, their (reverse-keyed) sum, and the items' field issues or null. */
  static final StructType ALLIANCE = new StructType().add("n_valid", IntegerType, false).add("sum", DoubleType, false)
      .add("issues", DataTypes.createArrayType(ISSUE, false), true);

  private static final UTF8String ALLIANCE_FIELD = UTF8String.fromString("alliance");
  private static final UTF8String NOT_NUMERIC = UTF8String.fromString("NOT_NUMERIC");
  private static final UTF8String OUT_OF_RANGE = UTF8String.fromString("OUT_OF_RANGE");

  /**
   * Makes the functions known to {@code spark}'s SQL (idempotent):
   * <ul>
   *   <li>{@code rupture_number(raw STRING, decimal_comma BOOLEAN) -> DOUBLE}: {@link #number};</li>
   *   <li>{@code rupture_session(raw STRING, decimal_comma BOOLEAN) -> INT}: {@link #session};</li>
   *   <li>{@code rupture_alliance(items BINARY, decimal_comma BOOLEAN, low DOUBLE, high DOUBLE,
   *       reverse ARRAY<BOOLEAN>, columns ARRAY<STRING>) -> ALLIANCE}: {@link #alliance};</li>
   *   <li>{@code rupture_code(raw STRING, codes ARRAY<STRING>) -> INT}: {@link #code};</li>
   *   <li>{@code rupture_pack_items(items ARRAY<STRING>) -> BINARY}: {@link PackedItems#pack}, the
   *       staged form of alliance items ({@code rupture_alliance}'s first argument);</li>
   *   <li>{@code rupture_compact(array(...))}: {@link #compact};</li>
   *   <li>{@code rupture_source_columns(issues ARRAY<ISSUE>, columns MAP<STRING, STRING>) -> ARRAY<ISSUE>}:
   *       {@link #sourceColumns}.</li>
   * </ul>
   * Each is null when an argument is null, except {@code rupture_source_columns}, which keeps the issues
   * when there is no map, and {@code rupture_session}, which is null for a null value and reads a null
   * decimal_comma as false (the mapping's column is never null): without the null checks of its arguments its
   * call is hardly larger than the {@code try_cast} it replaces in the rules' generated method.
   */
  static void register(SparkSession spark) {
    FunctionRegistry registry = ((org.apache.spark.sql.classic.SparkSession) spark).sessionState().functionRegistry();
    registry.createOrReplaceTempFunction("rupture_number",
        new Builder("number", DoubleType, List.of(StringType, BooleanType)), "internal");
    registry.createOrReplaceTempFunction("rupture_session",
        new Builder("session", IntegerType, List.of(StringType, BooleanType), false), "internal");
    registry.createOrReplaceTempFunction("rupture_alliance",
        new Builder("alliance", ALLIANCE, List.of(BinaryType, BooleanType, DoubleType,
            DoubleType, DataTypes.createArrayType(BooleanType), DataTypes.createArrayType(StringType))), "internal");
    registry.createOrReplaceTempFunction("rupture_code",
        new Builder("code", IntegerType, List.of(StringType, DataTypes.createArrayType(StringType))), "internal");
    registry.createOrReplaceTempFunction("rupture_pack_items",
        new Builder("packItems", BinaryType, List.of(DataTypes.createArrayType(StringType))), "internal");
    registry.createOrReplaceTempFunction("rupture_compact", new Builder("compact", null, null), "internal");
    registry.createOrReplaceTempFunction("rupture_source_columns", new Builder("sourceColumns", null,
        List.of(DataTypes.createArrayType(ISSUE), DataTypes.createMapType(StringType, StringType)), false),
        "internal");
  }

  /**
   * The field issues with each source column that {@code columns} holds replaced by its value there: a wide
   * record's issues name the mapping's column ({@code int}) and {@code columns} maps it to the column of the
   * record's session as the header spells it ({@code int_s03}; {@link FileLayout#wideColumnNames}). The
   * issues as they are when either is null: a record without issues, or not of a wide export.
   */
  public static ArrayData sourceColumns(ArrayData issues, MapData columns) {
    if (issues == null || columns == null) {
      return issues;
    }
    ArrayData keys = columns.keyArray();
    ArrayData values = columns.valueArray();
    Object[] out = new Object[issues.numElements()];
    for (int i = 0; i < out.length; i++) {
      if (issues.isNullAt(i)) {
        continue;
      }
      InternalRow issue = issues.getStruct(i, 4);
      UTF8String column = issue.isNullAt(1) ? null : issue.getUTF8String(1);
      if (column != null) {
        for (int k = 0; k < keys.numElements(); k++) {
          if (keys.getUTF8String(k).equals(column)) {
            column = values.isNullAt(k) ? column : values.getUTF8String(k);
            break;
          }
        }
      }
      out[i] = new GenericInternalRow(new Object[] {issue.isNullAt(0) ? null : issue.getUTF8String(0), column,
          issue.isNullAt(2) ? null : issue.getUTF8String(2), issue.isNullAt(3) ? null : issue.getUTF8String(3)});
    }
    return new GenericArrayData(out);
  }

  /**
   * The raw string as a number, as {@code try_cast} reads it after the decimal comma (when the mapping
   * has one) is made a point; null when it is not a number or is NaN. Unlike {@code try_cast}, only a
   * decimal ({@link #decimal}: sign, digits, decimal mark, exponent, surrounding spaces) or one of Spark's
   * special literals ({@code inf}, {@code Infinity}, {@code -inf}, ...) is a number: Java's float and
   * double suffixes ({@code 4f}, {@code 2d}, {@code 1D}) and hex floats ({@code 0x1p2}), which
   * {@code Double.parseDouble} and so {@code try_cast} accept, are typos or garbage in an export
   * (NOT_NUMERIC), not 4, 2, 1 and 4.
   */
  public static Double number(UTF8String raw, boolean decimalComma) {
    double plain = plainDecimal(raw.getBaseObject(), raw.getBaseOffset(), raw.numBytes(), decimalComma);
    if (!Double.isNaN(plain)) {
      return plain;
    }
    String s = raw.toString();
    if (decimalComma) {
      s = s.replace(',', '.');
    }
    double d;
    if (decimal(s)) {
      try {
        d = Double.parseDouble(s);
      } catch (NumberFormatException e) {
        return null;   // not expected: parseDouble reads every decimal
      }
    } else {
      // as Spark's cast: "inf", "-Infinity", "nan" in any case
      Object special = Cast.processFloatingPointSpecialLiterals(s, false);
      if (special == null) {
        return null;
      }
      d = (Double) special;
    }
    return Double.isNaN(d) ? null : d;
  }

  /**
   * Whether {@code s} is a decimal as data exports write one, and as {@code Double.parseDouble} reads it:
   * surrounded by any characters up to a space (which {@code parseDouble} trims), an optional sign, digits
   * with at most one decimal point (at least one digit), and an optional exponent ({@code e} or {@code E},
   * an optional sign, digits). Not: Java's type suffixes ({@code f}, {@code F}, {@code d}, {@code D}) and hex
   * floats, which {@code parseDouble} reads as well; nor {@code NaN} and {@code Infinity} (Spark's special
   * literals, read apart).
   */
  private static boolean decimal(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && s.charAt(from) <= ' ') {
      from++;
    }
    while (to > from && s.charAt(to - 1) <= ' ') {
      to--;
    }
    int i = from;
    if (i < to && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      i++;
    }
    int digits = 0;
    boolean point = false;
    for (; i < to; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        digits++;
      } else if (c == '.' && !point) {
        point = true;
      } else {
        break;
      }
    }
    if (digits == 0) {
      return false;
    }
    if (i < to && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < to && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int exponent = i;
      while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
      }
      if (i == exponent) {
        return false;
      }
    }
    return i == to;
  }

  /**
   * The raw string as a session number: as {@code try_cast(raw AS INT)} reads it (an optional sign, digits,
   * surrounding spaces; null beyond an int), and also an integral decimal, {@code 1.0}, {@code 3.00} (or
   * {@code 3,0} when the mapping has a decimal comma, under which a point is a decimal mark too, as for
   * {@link #number}): pandas writes an integer column that has a missing value so. Null for anything else:
   * {@code 1.5}, {@code 1.} (no decimals), {@code 1e0}, {@code x}. (That 0 and negatives are no session is
   * the rules' check.) One call instead of the cast, whose failure is an exception with its query context.
   */
  public static Integer session(UTF8String raw, boolean decimalComma) {
    if (raw == null) {   // called with null arguments (register)
      return null;
    }
    Object base = raw.getBaseObject();
    long offset = raw.getBaseOffset();
    int n = raw.numBytes();
    if (n > 0 && n <= 9) {
      // nearly every value: up to 9 digits, which no int overflows, read without a string or wrapper
      int v = 0;
      int i = 0;
      for (; i < n; i++) {
        byte b = Platform.getByte(base, offset + i);
        if (b < '0' || b > '9') {
          break;
        }
        v = v * 10 + (b - '0');
      }
      if (i == n) {
        return v;
      }
    }
    int mark = -1;
    for (int i = 0; i < n && mark < 0; i++) {
      byte b = Platform.getByte(base, offset + i);
      if (b == '.' || (b == ',' && decimalComma)) {
        mark = i;
      }
    }
    int whole = n;
    if (mark >= 0) {
      // an integral decimal: digits, the first decimal mark, at least one zero, nothing but spaces after them
      int i = mark + 1;
      while (i < n && Platform.getByte(base, offset + i) == '0') {
        i++;
      }
      boolean zeros = i > mark + 1;
      while (i < n && trimmed(Platform.getByte(base, offset + i))) {
        i++;
      }
      byte before = mark == 0 ? 0 : Platform.getByte(base, offset + mark - 1);
      if (!zeros || i < n || before < '0' || before > '9') {
        return null;
      }
      whole = mark;
    }
    // Spark's own reading of the digits (and their sign and leading spaces), which holds no decimal point:
    // with none, toInt is the exact reading try_cast makes (toIntExact), without its exception
    UTF8String.IntWrapper result = new UTF8String.IntWrapper();
    return UTF8String.fromAddress(base, offset, whole).toInt(result) ? result.value : null;
  }

  /** Whether Spark's integer reading ({@link UTF8String#toInt}) trims the byte off a value's ends. */
  private static boolean trimmed(byte b) {
    return Character.isWhitespace(b) || Character.isISOControl(b);
  }

  /** 10^0 .. 10^15, each exactly a double. */
  private static final double[] POWERS_OF_TEN = new double[16];

  static {
    POWERS_OF_TEN[0] = 1;
    for (int i = 1; i < POWERS_OF_TEN.length; i++) {
      POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
    }
  }

  /**
   * The value of the {@code n} bytes at {@code offset} of {@code base} (Spark's {@link Platform}
   * addressing) when they are a plain decimal (an optional sign, then digits with at most one decimal mark, at most
   * 15 digits in all, nothing else), or NaN for any other string, which {@link #number} then reads the
   * general way. Ratings are almost all such strings, and this reads them without making a Java string.
   * The value is the one {@code Double.parseDouble} gives: the digits as an integer below 2^53 and a
   * power of ten up to 10^15 are both exact doubles, so their quotient is the correctly rounded value of
   * the decimal (the fast path of Java's own parser).
   */
  private static double plainDecimal(Object base, long offset, int n, boolean decimalComma) {
    if (n == 0 || n > 17) {
      return Double.NaN;
    }
    int i = 0;
    boolean negative = false;
    byte b = Platform.getByte(base, offset);
    if (b == '-' || b == '+') {
      negative = b == '-';
      i = 1;
    }
    long digits = 0;
    int count = 0;
    int decimals = -1;   // digits after the decimal mark; -1 before it
    for (; i < n; i++) {
      b = Platform.getByte(base, offset + i);
      if (b >= '0' && b <= '9') {
        digits = digits * 10 + (b - '0');
        count++;
        if (decimals >= 0) {
          decimals++;
        }
      } else if ((b == '.' || (b == ',' && decimalComma)) && decimals < 0) {
        decimals = 0;
      } else {
        return Double.NaN;
      }
    }
    if (count == 0 || count > 15) {
      return Double.NaN;
    }
    double v = decimals <= 0 ? digits : digits / POWERS_OF_TEN[decimals];
    return negative ? -v : v;
  }

  /**
   * The alliance items of one rating ({@link PackedItems}): how many are valid (a number within [low,
   * high]), the sum of the valid ones with reverse-keyed items ({@code reverse[i]} true) turned round
   * (low + high - value), and a field issue (NOT_NUMERIC or OUT_OF_RANGE, the item's source column from
   * {@code columns}) for each item given but not valid, or null when there is none.
   */
  public static InternalRow alliance(byte[] items, boolean decimalComma, double low, double high,
      ArrayData reverse, ArrayData columns) {
    int valid = 0;
    double sum = 0;
    List<InternalRow> issues = null;
    PackedItems.Cursor item = new PackedItems.Cursor(items);
    for (int i = 0; item.next(); i++) {
      if (!item.given()) {
        continue;
      }
      // NaN: not a number (number() is null for NaN too)
      double v = plainDecimal(item.bytes(), Platform.BYTE_ARRAY_OFFSET + item.start(), item.length(), decimalComma);
      if (Double.isNaN(v)) {
        Double general = number(item.text(), decimalComma);
        v = general == null ? Double.NaN : general;
      }
      if (v >= low && v <= high) {
        valid++;
        boolean reversed = i < reverse.numElements() && !reverse.isNullAt(i) && reverse.getBoolean(i);
        sum += reversed ? low + high - v : v;
      } else {
        if (issues == null) {
          issues = new ArrayList<>(2);
        }
        UTF8String column = i < columns.numElements() && !columns.isNullAt(i) ? columns.getUTF8String(i) : null;
        issues.add(new GenericInternalRow(new Object[] {ALLIANCE_FIELD, column, item.text(),
            Double.isNaN(v) ? NOT_NUMERIC : OUT_OF_RANGE}));
      }
    }
    return new GenericInternalRow(new Object[] {valid, sum,
        issues == null ? null : new GenericArrayData(issues.toArray())});
  }

  /**
   * The index of the first of {@code codes} equal to {@code raw} trimmed of spaces and lower-cased, as
   * {@code lower(trim(raw))} gives it, or -1 when none is: the mapping's codes (raters, yes and no,
   * treatments) are stored lower-cased. For a raw value of ASCII bytes (nearly all) the comparison is
   * made in place, with no string made per row; anything else takes Spark's own {@code trim} and
   * {@code lower}.
   */
  public static int code(UTF8String raw, ArrayData codes) {
    Object base = raw.getBaseObject();
    long offset = raw.getBaseOffset();
    int from = 0;
    int to = raw.numBytes();
    while (from < to && Platform.getByte(base, offset + from) == ' ') {
      from++;
    }
    while (to > from && Platform.getByte(base, offset + to - 1) == ' ') {
      to--;
    }
    for (int i = from; i < to; i++) {
      if (Platform.getByte(base, offset + i) < 0) {
        return codeOfText(raw.trim().toLowerCase(), codes);
      }
    }
    int n = to - from;
    for (int c = 0; c < codes.numElements(); c++) {
      if (codes.isNullAt(c)) {
        continue;
      }
      Object codeBase = RowStrings.base(codes);
      long codeOffset;
      if (codeBase != null) {
        long offsetAndSize = codes.getLong(c);
        if ((int) offsetAndSize != n) {
          continue;
        }
        codeOffset = RowStrings.address(codes, offsetAndSize);
      } else {
        UTF8String code = codes.getUTF8String(c);
        if (code.numBytes() != n) {
          continue;
        }
        codeBase = code.getBaseObject();
        codeOffset = code.getBaseOffset();
      }
      if (equalsLowerCased(base, offset + from, codeBase, codeOffset, n)) {
        return c;
      }
    }
    return -1;
  }

  /** Whether the ASCII bytes at {@code offset}, lower-cased, are the {@code n} bytes at {@code codeOffset}. */
  private static boolean equalsLowerCased(Object base, long offset, Object codeBase, long codeOffset, int n) {
    for (int i = 0; i < n; i++) {
      byte b = Platform.getByte(base, offset + i);
      if (b >= 'A' && b <= 'Z') {
        b += 'a' - 'A';
      }
      if (b != Platform.getByte(codeBase, codeOffset + i)) {
        return false;
      }
    }
    return true;
  }

  private static int codeOfText(UTF8String text, ArrayData codes) {
    for (int c = 0; c < codes.numElements(); c++) {
      if (!codes.isNullAt(c) && codes.getUTF8String(c).equals(text)) {
        return c;
      }
    }
    return -1;
  }

  /** {@code rupture_pack_items}: {@link PackedItems#pack}, the staged form of an array of item strings. */
  public static byte[] packItems(ArrayData items) {
    return PackedItems.pack(items);
  }

  /**
   * The non-null elements of an array built by {@code array(...)} of strings or structs, in order: as
   * {@code array_compact}, which is a higher-order function that Spark's generated code cannot hold
   * (it would cut the rules' whole-stage code in two, with every intermediate row copied in between).
   */
  public static ArrayData compact(ArrayData array) {
    if (!(array instanceof GenericArrayData generic)) {
      // array(...) of non-primitive elements is one, generated or interpreted
      throw new IllegalArgumentException("rupture_compact takes array(...) of strings or structs, not "
          + array.getClass().getSimpleName());
    }
    Object[] values = generic.array();
    int kept = 0;
    for (Object v : values) {
      if (v != null) {
        kept++;
      }
    }
    if (kept == values.length) {
      return array;
    }
    Object[] out = new Object[kept];
    int k = 0;
    for (Object v : values) {
      if (v != null) {
        out[k++] = v;
      }
    }
    return new GenericArrayData(out);
  }

  /** Builds the call of one of this class's methods from the SQL function's arguments. */
  private static final class Builder extends AbstractFunction1<scala.collection.immutable.Seq<Expression>, Expression>
      implements java.io.Serializable {
    private final String method;
    private final DataType result;
    private final List<DataType> inputs;
    private final boolean propagateNull;

    /**
     * {@code result} and {@code inputs} null: one array argument, and its type without nulls is the result's;
     * {@code result} null alone: the first argument's type is the result's.
     */
    Builder(String method, DataType result, List<DataType> inputs) {
      this(method, result, inputs, true);
    }

    /** {@code propagateNull} false: the method is called with null arguments too. */
    Builder(String method, DataType result, List<DataType> inputs, boolean propagateNull) {
      this.method = method;
      this.result = result;
      this.inputs = inputs;
      this.propagateNull = propagateNull;
    }

    @Override
    public Expression apply(scala.collection.immutable.Seq<Expression> args) {
      if (inputs == null) {
        if (args.size() != 1 || !(args.head().dataType() instanceof ArrayType a)) {
          throw new IllegalArgumentException("rupture function " + method + " takes one array");
        }
        return new StaticInvoke(FieldFunctions.class, DataTypes.createArrayType(a.elementType(), false), method,
            args, CollectionConverters.asScala(List.<AbstractDataType>of(a)).toList(), true, true, true,
            scala.Option.empty());
      }
      if (args.size() != inputs.size()) {
        throw new IllegalArgumentException("rupture function " + method + " takes " + inputs.size()
            + " arguments, not " + args.size());
      }
      List<AbstractDataType> types = new ArrayList<>(inputs);
      // null when an argument is null (unless !propagateNull), a nullable result, deterministic
      return new StaticInvoke(FieldFunctions.class, result != null ? result : args.head().dataType(), method, args,
          CollectionConverters.asScala(types).toList(), propagateNull, true, true, scala.Option.empty());
    }
  }
}
