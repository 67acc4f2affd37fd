package org.rupture.pipeline.config;

import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkMasterRegex$;
import org.apache.spark.internal.config.ConfigEntry;
import org.apache.spark.internal.config.ConfigEntry$;
import org.apache.spark.sql.internal.SQLConf$;

/**
 * Checks {@code spark.*} settings (the config's {@code spark:} section, {@code --conf}) against the type and
 * bounds Spark declares for them, before Spark starts: Spark itself reads most settings only when a query
 * first needs them, so a mistyped value failed the run minutes in, as an error without the config's key.
 * Settings Spark does not declare (its own undocumented ones, Hadoop's {@code spark.hadoop.*}) pass.
 * {@code spark.master} is checked against the forms Spark's SparkContext accepts: a master it cannot parse
 * failed the job only once the SparkContext started, with Spark's ERROR stack trace on the console.
 */
public final class SparkSettings {
  static {
    // Spark registers its declared settings when the objects declaring them are first used
    forceInit(SQLConf$.MODULE$);
    forceInit(org.apache.spark.internal.config.package$.MODULE$);
  }

  private SparkSettings() {}

  private static void forceInit(Object declarations) {
    if (declarations == null) {
      throw new IllegalStateException("Spark's setting declarations are not on the class path");
    }
  }

  /** What is wrong with {@code value} for Spark setting {@code key}, in one line; null when Spark accepts it. */
  public static String problem(String key, String value) {
    if (key.equals(MASTER)) {
      return masterProblem(value);
    }
    ConfigEntry<?> entry = ConfigEntry$.MODULE$.findEntry(key);
    if (entry == null) {
      return null;
    }
    try {
      entry.valueConverter().apply(value);
      return null;
    } catch (RuntimeException e) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return message.replaceAll("\\s*\\R\\s*", " ").trim();
    }
  }

  private static final String MASTER = "spark.master";

  /**
   * What is wrong with a master URL, or null when SparkContext can run on it: the forms SparkContext parses
   * itself ({@code local}, {@code local[N]}, {@code local[N,F]}, {@code local-cluster[N,C,M]},
   * {@code spark://...}) and whatever an external cluster manager on the class path accepts (YARN's and
   * Kubernetes' come with spark-submit on those clusters), in SparkContext's order.
   */
  static String masterProblem(String master) {
    SparkMasterRegex$ forms = SparkMasterRegex$.MODULE$;
    if (master.equals("local") || forms.SPARK_REGEX().pattern().matcher(master).matches()
        || forms.LOCAL_CLUSTER_REGEX().pattern().matcher(master).matches()) {
      return null;
    }
    for (Pattern local : new Pattern[] {forms.LOCAL_N_REGEX().pattern(), forms.LOCAL_N_FAILURES_REGEX().pattern()}) {
      Matcher m = local.matcher(master);
      if (m.matches()) {
        return m.group(1).equals("*") || Integer.parseInt(m.group(1)) > 0 ? null
            : "'" + master + "' asks for no thread; use local[*] (all cores) or local[N] with N of at least 1";
      }
    }
    if (hasClusterManagerFor(master)) {
      return null;
    }
    if (master.equals("yarn") || master.startsWith("k8s://")) {
      return "Spark's " + (master.equals("yarn") ? "YARN" : "Kubernetes") + " support is not on the class path; "
          + "submit the shaded jar with that cluster's spark-submit (docs/operations.md), or use local[*] here";
    }
    return "'" + master + "' is no Spark master URL; use local[*] (embedded, all cores), local[N], "
        + "spark://host:port (a standalone cluster), yarn or k8s://https://host:port (with spark-submit)";
  }

  /** Whether a cluster manager registered with Spark (YARN, Kubernetes, a custom one) accepts the master. */
  private static boolean hasClusterManagerFor(String master) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    try {
      for (org.apache.spark.scheduler.ExternalClusterManager manager : ServiceLoader.load(
          org.apache.spark.scheduler.ExternalClusterManager.class,
          loader != null ? loader : SparkSettings.class.getClassLoader())) {
        if (manager.canCreate(master)) {
          return true;
        }
      }
    } catch (ServiceConfigurationError e) {
      return false; // a manager that cannot be loaded cannot run the job either
    }
    return false;
  }
}
