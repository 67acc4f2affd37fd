package org.rupture.pipeline.stats.meta;

import java.util.Locale;
import java.util.Random;

/**
 * Plain timing of one REML fit with its Q-profile tau^2 CI on k = 100,000 studies (not a test; surefire
 * does not run it). Run after {@code mvn test-compile}:
 * {@code java -cp target/classes:target/test-classes:$HOME/.m2/repository/org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar
 * org.rupture.pipeline.stats.meta.MetaBenchmark}
 */
public final class MetaBenchmark {
  private static final int STUDIES = 100_000;
  private static final int WARM_UP_RUNS = 3;
  private static final int TIMED_RUNS = 5;

  private MetaBenchmark() {}

  public static void main(String[] args) {
    Random random = new Random(2024);
    double[] yi = new double[STUDIES];
    double[] vi = new double[STUDIES];
    for (int i = 0; i < STUDIES; i++) {
      int n = 15 + random.nextInt(286);
      vi[i] = 1.0 / (n - 3);
      yi[i] = 0.25 + random.nextGaussian() * Math.sqrt(vi[i] + 0.03);
    }
    RandomEffectsModel model = new RandomEffectsModel(TauEstimator.REML, SignificanceTest.Z);
    long first = System.nanoTime();
    MetaAnalysisResult result = model.fit(yi, vi);
    double coldMillis = (System.nanoTime() - first) / 1e6;
    for (int i = 0; i < WARM_UP_RUNS; i++) {
      model.fit(yi, vi);
    }
    long start = System.nanoTime();
    for (int i = 0; i < TIMED_RUNS; i++) {
      result = model.fit(yi, vi);
    }
    double warmMillis = (System.nanoTime() - start) / 1e6 / TIMED_RUNS;
    System.out.printf(Locale.ROOT, "k = %d, REML + Q-profile CI: first fit %.1f ms, warm fit %.1f ms%n",
        STUDIES, coldMillis, warmMillis);
    System.out.printf(Locale.ROOT, "estimate %.6f, tau2 %.6f [%.6f, %.6f]%n", result.estimate(), result.tau2(),
        result.tau2CiLower(), result.tau2CiUpper());
  }
}
