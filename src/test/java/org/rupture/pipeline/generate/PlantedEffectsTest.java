package org.rupture.pipeline.generate;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rupture.pipeline.generate.SimulatedPatient.PATIENT;
import static org.rupture.pipeline.generate.SimulatedPatient.RATERS;
import static org.rupture.pipeline.generate.SimulatedPatient.THERAPIST;
import static org.rupture.pipeline.generate.SimulatedPatient.YES;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rupture.pipeline.generate.SimulatedPatient.TrainingPhase;
import org.rupture.pipeline.generate.SimulatedPatient.Treatment;

/**
 * The planted directions (literature.md, SPEC section 7) are visible in two simulated cohorts: a
 * modest one (8 long-dialect sites x 60 patients, seed 7) and the cohort behind the committed
 * sample (see {@link SampleDataTest#GENERATOR_OPTIONS}). Features are computed over the early
 * window (sessions 1-6) as SPEC section 5 defines them, from the true values the exports are
 * written from. Each assertion demands the planted sign and a margin of about three standard
 * errors.
 */
class PlantedEffectsTest {
  private static final int WINDOW = 6;

  static Stream<Arguments> cohorts() {
    return Stream.of(
        Arguments.of("modest cohort", simulate(7, 8, 60, 12, false)),
        Arguments.of("sample cohort", simulate(SampleDataTest.SEED, SampleDataTest.SITES,
            SampleDataTest.PATIENTS_PER_SITE, SampleDataTest.SESSIONS, true)));
  }

  /** The patients of a cohort as {@code generate} simulates it (alliance scale per dialect). */
  private static List<SimulatedPatient> simulate(long seed, int sites, int patients, int sessions,
      boolean allDialects) {
    List<SimulatedPatient> cohort = new ArrayList<>();
    ExportDialect[] dialects = ExportDialect.values();
    for (int site = 1; site <= sites; site++) {
      ExportDialect dialect = allDialects ? dialects[(site - 1) % dialects.length]
          : ExportDialect.LONG_CSV;
      SiteSimulation simulation = new SiteSimulation(seed, site, patients, sessions,
          dialect.alliancePoints());
      for (SimulatedPatient p = simulation.next(); p != null; p = simulation.next()) {
        cohort.add(p);
      }
    }
    return cohort;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cohorts")
  void therapistsReportMoreRupturesThanPatients(String name, List<SimulatedPatient> cohort) {
    List<Double> differences = new ArrayList<>();
    for (SimulatedPatient p : cohort) {
      double t = ruptureRate(p, THERAPIST);
      double pt = ruptureRate(p, PATIENT);
      if (!Double.isNaN(t) && !Double.isNaN(pt)) {
        differences.add(t - pt);
      }
    }
    double mean = mean(differences);
    double se = sd(differences) / Math.sqrt(differences.size());
    assertTrue(mean > 3 * se, "therapist - patient rupture rate " + mean + " (se " + se + ")");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cohorts")
  void fewerRupturesInCbt(String name, List<SimulatedPatient> cohort) {
    for (int rater = 0; rater < RATERS; rater++) {
      List<Double> cbt = new ArrayList<>();
      List<Double> other = new ArrayList<>();
      for (SimulatedPatient p : cohort) {
        double rate = ruptureRate(p, rater);
        if (!Double.isNaN(rate)) {
          (p.treatment == Treatment.CBT ? cbt : other).add(rate);
        }
      }
      double diff = mean(cbt) - mean(other);
      double se = Math.sqrt(variance(cbt) / cbt.size() + variance(other) / other.size());
      assertTrue(diff < -3 * se, "CBT - other rupture rate " + diff + " (se " + se + ")");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cohorts")
  void resolutionAndIntensityPredictImprovementOnBothMeasures(String name,
      List<SimulatedPatient> cohort) {
    for (int rater = 0; rater < RATERS; rater++) {
      double[] iipRes = correlation(cohort, rater, true, true);
      double[] who5Res = correlation(cohort, rater, true, false);
      double[] iipInt = correlation(cohort, rater, false, true);
      double[] who5Int = correlation(cohort, rater, false, false);
      assertPositive("mean_resolution ~ IIP improvement", iipRes);
      assertPositive("mean_resolution ~ WHO5 improvement", who5Res);
      assertPositive("-mean_intensity ~ IIP improvement", negate(iipInt));
      assertPositive("-mean_intensity ~ WHO5 improvement", negate(who5Int));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cohorts")
  void higherResolutionGoesWithRetention(String name, List<SimulatedPatient> cohort) {
    for (int rater = 0; rater < RATERS; rater++) {
      List<double[]> pairs = new ArrayList<>();
      for (SimulatedPatient p : cohort) {
        double res = meanOfRuptures(p, rater, true);
        if (!Double.isNaN(res)) {
          pairs.add(new double[] {res, p.dropout ? 0 : 1});
        }
      }
      double[] r = pearson(pairs);
      assertPositive("mean_resolution ~ retained", r);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cohorts")
  void patientsTreatedAfterTrainingImproveMore(String name, List<SimulatedPatient> cohort) {
    List<Double> pre = new ArrayList<>();
    List<Double> post = new ArrayList<>();
    for (SimulatedPatient p : cohort) {
      if (p.iipTerminationHundredths >= 0 && p.trainingPhase != TrainingPhase.NOT_IN_PROGRAM) {
        double improvement = (p.iipBaselineHundredths - p.iipTerminationHundredths) / 100.0;
        (p.trainingPhase == TrainingPhase.POST ? post : pre).add(improvement);
      }
    }
    double diff = mean(post) - mean(pre);
    double se = Math.sqrt(variance(pre) / pre.size() + variance(post) / post.size());
    assertTrue(diff > 3 * se, "post - pre IIP improvement " + diff + " (se " + se + ")");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cohorts")
  void withinPatientIntensityLowersAndResolutionRaisesAllianceAndQuality(String name,
      List<SimulatedPatient> cohort) {
    for (int rater = 0; rater < RATERS; rater++) {
      double[][] rm = repeatedMeasures(cohort, rater);
      assertPositive("-intensity ~ alliance (within patient)", negate(rm[0]));
      assertPositive("resolution ~ alliance (within patient)", rm[1]);
      assertPositive("-intensity ~ session quality (within patient)", negate(rm[2]));
      assertPositive("resolution ~ session quality (within patient)", rm[3]);
    }
  }

  // --- features as SPEC section 5 defines them

  private static double ruptureRate(SimulatedPatient p, int rater) {
    int rated = 0;
    int ruptures = 0;
    for (int s = 0; s < Math.min(WINDOW, p.sessionsAttended); s++) {
      byte code = p.rupture[rater][s];
      if (code == YES || code == SimulatedPatient.NO) {
        rated++;
        ruptures += code == YES ? 1 : 0;
      }
    }
    return rated == 0 ? Double.NaN : ruptures / (double) rated;
  }

  private static double meanOfRuptures(SimulatedPatient p, int rater, boolean resolution) {
    double sum = 0;
    int n = 0;
    for (int s = 0; s < Math.min(WINDOW, p.sessionsAttended); s++) {
      if (p.rupture[rater][s] == YES) {
        sum += resolution ? p.resolution[rater][s] : p.intensity[rater][s];
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  private static double alliance(SimulatedPatient p, int rater, int s) {
    double sum = 0;
    int n = 0;
    for (byte item : p.allianceItems[rater][s]) {
      if (item > 0) {
        sum += item;
        n++;
      }
    }
    return sum / n;
  }

  /** r and n of a patient-level predictor (mean resolution or intensity) with improvement. */
  private static double[] correlation(List<SimulatedPatient> cohort, int rater,
      boolean resolution, boolean iip) {
    List<double[]> pairs = new ArrayList<>();
    for (SimulatedPatient p : cohort) {
      double x = meanOfRuptures(p, rater, resolution);
      boolean complete = iip ? p.iipTerminationHundredths >= 0 : p.who5Termination >= 0;
      if (!Double.isNaN(x) && complete) {
        double y = iip ? (p.iipBaselineHundredths - p.iipTerminationHundredths) / 100.0
            : p.who5Termination - p.who5Baseline;
        pairs.add(new double[] {x, y});
      }
    }
    return pearson(pairs);
  }

  /** r_rm and df for intensity/resolution x alliance/quality, rupture sessions in the window. */
  private static double[][] repeatedMeasures(List<SimulatedPatient> cohort, int rater) {
    double[][] sums = new double[4][3];
    int rows = 0;
    int patients = 0;
    for (SimulatedPatient p : cohort) {
      List<double[]> own = new ArrayList<>();
      for (int s = 0; s < Math.min(WINDOW, p.sessionsAttended); s++) {
        if (p.rupture[rater][s] == YES) {
          own.add(new double[] {p.intensity[rater][s], p.resolution[rater][s],
              alliance(p, rater, s), p.qualityTenths[rater][s] / 10.0});
        }
      }
      if (own.size() < 2) {
        continue;
      }
      rows += own.size();
      patients++;
      double[] m = new double[4];
      for (double[] row : own) {
        for (int k = 0; k < 4; k++) {
          m[k] += row[k] / own.size();
        }
      }
      int pair = 0;
      for (int x = 0; x < 2; x++) {
        for (int y = 2; y < 4; y++, pair++) {
          for (double[] row : own) {
            double dx = row[x] - m[x];
            double dy = row[y] - m[y];
            sums[pair][0] += dx * dy;
            sums[pair][1] += dx * dx;
            sums[pair][2] += dy * dy;
          }
        }
      }
    }
    int df = rows - patients - 1;
    // pairs in order: intensity-alliance, intensity-quality, resolution-alliance,
    // resolution-quality
    int[] order = {0, 2, 1, 3};
    double[][] result = new double[4][];
    for (int k = 0; k < 4; k++) {
      double[] s = sums[order[k]];
      result[k] = new double[] {s[0] / Math.sqrt(s[1] * s[2]), df + 2};
    }
    return result;
  }

  /** r and n (for r_rm: df + 2, so that the t statistic below uses df). */
  private static double[] pearson(List<double[]> pairs) {
    double mx = 0;
    double my = 0;
    for (double[] p : pairs) {
      mx += p[0] / pairs.size();
      my += p[1] / pairs.size();
    }
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (double[] p : pairs) {
      sxy += (p[0] - mx) * (p[1] - my);
      sxx += (p[0] - mx) * (p[0] - mx);
      syy += (p[1] - my) * (p[1] - my);
    }
    return new double[] {sxy / Math.sqrt(sxx * syy), pairs.size()};
  }

  /** Demands r &gt; 0 with t = r sqrt((n-2)/(1-r^2)) above 3. */
  private static void assertPositive(String what, double[] rn) {
    double r = rn[0];
    double t = r * Math.sqrt((rn[1] - 2) / (1 - r * r));
    assertTrue(t > 3, what + ": r = " + r + ", n = " + (int) rn[1] + ", t = " + t);
  }

  private static double[] negate(double[] rn) {
    return new double[] {-rn[0], rn[1]};
  }

  private static double mean(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  private static double variance(List<Double> xs) {
    double m = mean(xs);
    return xs.stream().mapToDouble(x -> (x - m) * (x - m)).sum() / (xs.size() - 1);
  }

  private static double sd(List<Double> xs) {
    return Math.sqrt(variance(xs));
  }
}
