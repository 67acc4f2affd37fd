package org.rupture.pipeline.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.rupture.pipeline.config.ConfigNode;
import org.rupture.pipeline.stats.meta.LeaveOneOut;
import org.rupture.pipeline.stats.meta.MetaAnalysisException;
import org.rupture.pipeline.stats.meta.MetaAnalysisResult;
import org.rupture.pipeline.stats.meta.RandomEffectsModel;
import org.rupture.pipeline.stats.meta.SignificanceTest;
import org.rupture.pipeline.stats.meta.TauEstimator;

/**
 * {@code rupture meta --input FILE.csv [--method REML|DL|PM|ML|HS|SJ|HE|EB|FE] [--test z|knha]
 * [--format json|table]}: pools the studies of one CSV file (see {@link MetaInputCsv}) with
 * {@link RandomEffectsModel} and prints the pooled result with leave-one-out (SPEC sections 2 and 8).
 * Defaults: REML, z, json. Correlations are reported as r (estimate, CI, PI) with the Fisher z values
 * {@code yi_estimate}, {@code yi_se}; tau^2, I^2 (percent), H^2 and Q are on the yi scale. Values that are
 * not defined (see {@link MetaAnalysisResult}) are JSON null / "NA" in the table, with a warning.
 * Standard output holds only the result; warnings and errors go to standard error.
 */
public final class MetaCommand {
  static final String USAGE = "usage: rupture meta --input FILE.csv [--method REML|DL|PM|ML|HS|SJ|HE|EB|FE]"
      + " [--test z|knha] [--format json|table]";
  /** In the usage line's order: the nearest option to a typo is the first one of least edit distance. */
  private static final List<String> OPTIONS = List.of("--input", "--method", "--test", "--format");
  /**
   * The columns of results/pooled (SPEC 8), in its order. The first four name a pipeline analysis and are null
   * (NA in the table) here, so that one reader takes both outputs.
   */
  private static final List<String> POOLED_COLUMNS = List.of("analysis", "predictor", "outcome", "rater",
      "effect_type", "method", "test", "k", "n_total",
      "yi_estimate", "yi_se", "estimate", "ci_lower", "ci_upper", "p", "pi_lower", "pi_upper", "tau2",
      "tau2_ci_lower", "tau2_ci_upper", "I2", "H2", "Q", "Q_df", "Q_p");
  private static final List<String> LEAVE_ONE_OUT_COLUMNS = List.of("study", "estimate", "ci_lower",
      "ci_upper", "yi_estimate", "yi_se", "p", "tau2", "I2", "H2", "Q", "Q_p");

  private MetaCommand() {}

  /**
   * Runs the command.
   *
   * @param args the arguments after {@code meta}
   * @return 0 on success, 2 for bad usage or input (the message on {@code err} says what and where)
   */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    try {
      Map<String, String> options = parse(args);
      if (options.containsKey("--help")) {
        out.println(USAGE);
        return 0;
      }
      TauEstimator method = choice(options, "--method", "REML", TauEstimator.class);
      SignificanceTest test = choice(options, "--test", "z", SignificanceTest.class);
      String format = options.getOrDefault("--format", "json").toLowerCase(Locale.ROOT);
      if (!format.equals("json") && !format.equals("table")) {
        throw new UsageException("--format must be json or table, not '" + options.get("--format") + "'.");
      }
      MetaInputCsv input = MetaInputCsv.read(Path.of(options.get("--input")));
      RandomEffectsModel model = new RandomEffectsModel(method, test);
      MetaAnalysisResult result = model.fit(input.yi(), input.vi());
      List<LeaveOneOut> leaveOneOut = model.leaveOneOut(input.yi(), input.vi());
      warnings(result, test).forEach(w -> err.println("meta: warning: " + w));
      ObjectNode document = document(input, result, leaveOneOut);
      out.print(format.equals("json") ? json(document) + System.lineSeparator() : table(document));
      return 0;
    } catch (UsageException e) {
      err.println("meta: " + e.getMessage());
      err.println(USAGE);
      return 2;
    } catch (MetaAnalysisException e) {
      err.println("meta: " + e.getMessage());
      return 2;
    }
  }

  private static Map<String, String> parse(List<String> args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--help") || arg.equals("-h")) {
        options.put("--help", "");
        continue;
      }
      int equals = arg.indexOf('=');
      String name = equals > 0 ? arg.substring(0, equals) : arg;
      if (!OPTIONS.contains(name)) {
        String hint = ConfigNode.nearest(name, OPTIONS);
        throw new UsageException("unknown option '" + arg + "'" + (hint == null ? "." : "; did you mean " + hint + "?"));
      }
      String value;
      if (equals > 0) {
        value = arg.substring(equals + 1);
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new UsageException(name + " needs a value.");
      }
      if (options.put(name, value) != null) {
        throw new UsageException(name + " is given more than once.");
      }
    }
    if (!options.containsKey("--help") && !options.containsKey("--input")) {
      throw new UsageException("--input FILE.csv is required.");
    }
    return options;
  }

  private static <E extends Enum<E>> E choice(Map<String, String> options, String name, String fallback,
      Class<E> type) {
    String value = options.getOrDefault(name, fallback);
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      List<String> allowed = new ArrayList<>();
      for (E constant : type.getEnumConstants()) {
        allowed.add(type == SignificanceTest.class ? constant.name().toLowerCase(Locale.ROOT) : constant.name());
      }
      throw new UsageException(name + " must be one of " + String.join(", ", allowed) + ", not '" + value + "'.");
    }
  }

  private static List<String> warnings(MetaAnalysisResult result, SignificanceTest requested) {
    List<String> warnings = new ArrayList<>();
    if (result.k() == 1) {
      warnings.add("only one study: tau^2 is 0, the z test is used and there is no tau^2 CI or leave-one-out.");
    } else if (result.method() == TauEstimator.FE) {
      warnings.add("the FE model assumes tau^2 = 0: tau2_ci_lower/upper are not defined (null, NA in tables) and the"
          + " prediction interval equals the confidence interval.");
    }
    if (requested == SignificanceTest.KNHA && result.method() == TauEstimator.FE && result.k() > 1) {
      warnings.add("the Knapp-Hartung adjustment is not meant for the FE model (metafor warns likewise).");
    }
    if (result.se() == 0) {
      warnings.add("the Knapp-Hartung standard error is 0 because the studies have no residual heterogeneity"
          + " (weighted residual sum of squares 0): the CI has zero width and p is degenerate; consider --test z.");
    }
    return warnings;
  }

  private static ObjectNode document(MetaInputCsv input, MetaAnalysisResult r, List<LeaveOneOut> leaveOneOut) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode doc = mapper.createObjectNode();
    for (String pipelineOnly : POOLED_COLUMNS.subList(0, POOLED_COLUMNS.indexOf("effect_type"))) {
      doc.putNull(pipelineOnly);
    }
    doc.put("effect_type", input.effectType());
    doc.put("method", r.method().name());
    doc.put("test", r.test().name().toLowerCase(Locale.ROOT));
    doc.put("k", r.k());
    if (input.totalN() == null) {
      doc.putNull("n_total");
    } else {
      doc.put("n_total", input.totalN());
    }
    number(doc, "yi_estimate", r.estimate());
    number(doc, "yi_se", r.se());
    number(doc, "estimate", input.scale().apply(r.estimate()));
    number(doc, "ci_lower", input.scale().apply(r.ciLower()));
    number(doc, "ci_upper", input.scale().apply(r.ciUpper()));
    number(doc, "p", r.p());
    number(doc, "pi_lower", input.scale().apply(r.piLower()));
    number(doc, "pi_upper", input.scale().apply(r.piUpper()));
    number(doc, "tau2", r.tau2());
    number(doc, "tau2_ci_lower", r.tau2CiLower());
    number(doc, "tau2_ci_upper", r.tau2CiUpper());
    number(doc, "I2", r.i2());
    number(doc, "H2", r.h2());
    number(doc, "Q", r.q());
    doc.put("Q_df", r.qDf());
    number(doc, "Q_p", r.qP());
    ArrayNode rows = doc.putArray("leave_one_out");
    for (LeaveOneOut o : leaveOneOut) {
      ObjectNode row = rows.addObject();
      row.put("study", input.studies().get(o.omitted()));
      number(row, "estimate", input.scale().apply(o.estimate()));
      number(row, "ci_lower", input.scale().apply(o.ciLower()));
      number(row, "ci_upper", input.scale().apply(o.ciUpper()));
      number(row, "yi_estimate", o.estimate());
      number(row, "yi_se", o.se());
      number(row, "p", o.p());
      number(row, "tau2", o.tau2());
      number(row, "I2", o.i2());
      number(row, "H2", o.h2());
      number(row, "Q", o.q());
      number(row, "Q_p", o.qP());
    }
    return doc;
  }

  /** JSON has no NaN or infinity: undefined values become null (and are explained by a warning). */
  private static void number(ObjectNode node, String key, double value) {
    if (Double.isFinite(value)) {
      node.put(key, value);
    } else {
      node.putNull(key);
    }
  }

  private static String json(ObjectNode document) {
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain values cannot fail to serialise", e);
    }
  }

  private static String table(ObjectNode document) {
    List<List<String>> pooled = List.of(POOLED_COLUMNS,
        POOLED_COLUMNS.stream().map(column -> cell(document, column)).toList());
    List<List<String>> leaveOneOut = new ArrayList<>();
    leaveOneOut.add(LEAVE_ONE_OUT_COLUMNS);
    document.get("leave_one_out").forEach(row ->
        leaveOneOut.add(LEAVE_ONE_OUT_COLUMNS.stream().map(column -> cell((ObjectNode) row, column)).toList()));
    return "pooled\n" + aligned(pooled) + "\nleave_one_out\n" + aligned(leaveOneOut);
  }

  private static String cell(ObjectNode node, String key) {
    var value = node.get(key);
    if (value.isNull()) {
      return "NA";
    }
    if (value.isFloatingPointNumber()) {
      return String.format(Locale.ROOT, "%.6g", value.doubleValue());
    }
    return value.asText();
  }

  private static String aligned(List<List<String>> rows) {
    int[] widths = new int[rows.get(0).size()];
    for (List<String> row : rows) {
      for (int c = 0; c < row.size(); c++) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (List<String> row : rows) {
      for (int c = 0; c < row.size(); c++) {
        text.append(c == 0 ? "" : "  ").append(String.format("%-" + widths[c] + "s", row.get(c)));
      }
      text.setLength(text.toString().stripTrailing().length());
      text.append('\n');
    }
    return text.toString();
  }
}
