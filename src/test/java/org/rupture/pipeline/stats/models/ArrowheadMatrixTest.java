package org.rupture.pipeline.stats.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.stats.StatisticsException;

/** The structured (site-indicator) algebra against the dense one on the same matrices. */
class ArrowheadMatrixTest {
  private static final int SITES = 40;

  /** Rows of [1, x, site indicators except the first]; x depends on the site. */
  private static double[][] design(Random rnd, int rowsPerSite) {
    List<double[]> rows = new ArrayList<>();
    for (int s = 0; s < SITES; s++) {
      for (int i = 0; i < rowsPerSite; i++) {
        double[] r = new double[SITES + 1];
        r[0] = 1;
        r[1] = rnd.nextGaussian() + 0.1 * s;
        if (s > 0) {
          r[s + 1] = 1;
        }
        rows.add(r);
      }
    }
    return rows.toArray(double[][]::new);
  }

  private static double[] response(Random rnd, double[][] x, double slope) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double eta = -0.5 + slope * x[i][1];
      y[i] = rnd.nextDouble() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
    }
    return y;
  }

  private static double[][] weightedCrossProducts(double[][] x, double[] w) {
    int p = x[0].length;
    double[][] a = new double[p][p];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < p; j++) {
        for (int k = 0; k < p; k++) {
          a[j][k] += w[i] * x[i][j] * x[i][k];
        }
      }
    }
    return a;
  }

  @Test
  void solveAndInverseDiagonalEqualTheDenseCholesky() {
    Random rnd = new Random(11);
    double[][] x = design(rnd, 15);
    double[] w = new double[x.length];
    for (int i = 0; i < w.length; i++) {
      w[i] = 0.05 + 0.2 * rnd.nextDouble();
    }
    double[][] a = weightedCrossProducts(x, w);
    double[] b = new double[a.length];
    for (int j = 0; j < b.length; j++) {
      b[j] = rnd.nextGaussian();
    }
    Cholesky dense = Cholesky.of(a, "a", null);
    ArrowheadMatrix arrow = ArrowheadMatrix.of(a, 2);
    double[] expected = dense.solve(b);
    double[] actual = arrow.solve(b, "a", null);
    double[][] inverse = dense.inverse();
    double[] diagonal = arrow.inverseDiagonal("a", null);
    for (int j = 0; j < a.length; j++) {
      assertEquals(expected[j], actual[j], 1e-10 * Math.max(1, Math.abs(expected[j])), "solve " + j);
      assertEquals(inverse[j][j], diagonal[j], 1e-10 * inverse[j][j], "inverse diagonal " + j);
    }
  }

  @Test
  void hasEigenvalueBelowAgreesWithTheDenseDecompositionOnEitherSideOfTheSmallest() {
    Random rnd = new Random(5);
    double[][] x = design(rnd, 10);
    double[] quarter = new double[x.length];
    double[] w = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      quarter[i] = 0.25;
      w[i] = 0.01 + 0.24 * rnd.nextDouble();
    }
    double[][] b = weightedCrossProducts(x, quarter);
    double[][] a = weightedCrossProducts(x, w);
    // dense: eigenvalues of L^-1 A L^-T with B = L L'
    RealMatrix lInv = MatrixUtils.inverse(new CholeskyDecomposition(MatrixUtils.createRealMatrix(b)).getL());
    RealMatrix m = lInv.multiply(MatrixUtils.createRealMatrix(a)).multiply(lInv.transpose());
    double[] values = new EigenDecomposition(m.add(m.transpose()).scalarMultiply(0.5)).getRealEigenvalues();
    java.util.Arrays.sort(values);
    ArrowheadMatrix arrowA = ArrowheadMatrix.of(a, 2);
    ArrowheadMatrix arrowB = ArrowheadMatrix.of(b, 2);
    assertFalse(arrowA.hasEigenvalueBelow(arrowB, values[0] * 0.999));
    assertTrue(arrowA.hasEigenvalueBelow(arrowB, values[0] * 1.001));
    assertTrue(arrowA.hasEigenvalueBelow(arrowB, (values[4] + values[5]) / 2));
    assertTrue(arrowA.hasEigenvalueBelow(arrowB, values[values.length - 1] * 1.001));
  }

  /** The in-memory sums, declared to have site indicators after the first two columns. */
  private static IrlsAggregator structured(double[][] x, double[] y) {
    IrlsAggregator dense = LogisticRegression.inMemory(x, y);
    return beta -> {
      WeightedCrossProducts d = dense.aggregate(beta);
      return new WeightedCrossProducts(d.xtwx(), d.xtwz(), d.deviance(), d.n(), 2);
    };
  }

  private static List<String> names() {
    List<String> names = new ArrayList<>(List.of("(Intercept)", "x"));
    for (int s = 1; s < SITES; s++) {
      names.add("site" + s);
    }
    return names;
  }

  @Test
  void logisticFitWithSiteIndicatorsIsTheDenseFit() {
    Random rnd = new Random(3);
    double[][] x = design(rnd, 25);
    double[] y = response(rnd, x, 0.8);
    LogisticResult dense = LogisticRegression.fit(LogisticRegression.inMemory(x, y), names());
    LogisticResult arrow = LogisticRegression.fit(structured(x, y), names());
    assertEquals(dense.iterations(), arrow.iterations());
    assertEquals(dense.deviance(), arrow.deviance(), 1e-9);
    for (int j = 0; j < names().size(); j++) {
      Coefficient d = dense.coefficients().get(j);
      Coefficient a = arrow.coefficients().get(j);
      assertEquals(d.estimate(), a.estimate(), 1e-9, d.name());
      assertEquals(d.se(), a.se(), 1e-9, d.name());
    }
  }

  @Test
  void separationFailsTheStructuredFitWithTheDenseFitsMessage() {
    Random rnd = new Random(3);
    double[][] x = design(rnd, 25);
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i][1] > 1.0 ? 1 : 0;   // x splits the outcome perfectly
    }
    String arrow = sameFailure(x, y);
    // perfect separation drives the weights to zero: X'WX turns singular or the separation check fires
    assertTrue(arrow.contains("separation") || arrow.contains("singular"), arrow);
  }

  @Test
  void aSiteWithoutDropoutIsFoundByTheInertiaCheckAndNamedAsTheDenseCheckNamesIt() {
    Random rnd = new Random(8);
    double[][] x = design(rnd, 25);
    double[] y = response(rnd, x, 0.5);
    for (int i = 0; i < x.length; i++) {
      if (x[i][7] == 1) {
        y[i] = 0;   // site 6: nobody dropped out; its intercept runs off to minus infinity
      }
    }
    String arrow = sameFailure(x, y);
    assertTrue(arrow.contains("separation") && arrow.contains("'site6'"), arrow);
  }

  /** Both fits fail, with the same message; returns it. */
  private static String sameFailure(double[][] x, double[] y) {
    StatisticsException dense = assertThrows(StatisticsException.class,
        () -> LogisticRegression.fit(LogisticRegression.inMemory(x, y), names()));
    StatisticsException arrow = assertThrows(StatisticsException.class,
        () -> LogisticRegression.fit(structured(x, y), names()));
    assertEquals(dense.getMessage(), arrow.getMessage());
    return arrow.getMessage();
  }
}
