package org.rupture.pipeline.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.stats.meta.SignificanceTest;
import org.rupture.pipeline.stats.meta.TauEstimator;
import org.rupture.pipeline.stats.models.Coefficient;
import org.rupture.pipeline.stats.models.LogisticRegression;
import org.rupture.pipeline.stats.models.LogisticResult;
import org.rupture.pipeline.testing.SparkTestBase;

/** One-stage models of a cohort with one site: why there is no mixed model, and a logistic one without sites. */
class OneStageModelsTest extends SparkTestBase {
  private static final AnalysisSpec OUTCOME = spec("resolution_outcome");
  private static final AnalysisSpec RETENTION = spec("resolution_retention");
  private static final EffectKey OUTCOME_KEY = new EffectKey("resolution_outcome", "patient", "IIP");
  private static final EffectKey RETENTION_KEY = new EffectKey("resolution_retention", "patient", null);
  private static final String ONE_SITE = "only 1 site with data; a random site intercept needs at least 2";
  private static final TwoStagePooling POOLING = new TwoStagePooling(TauEstimator.REML, SignificanceTest.Z);

  /** Patient x (mean_resolution), baseline and improvement of a site, deterministic and not collinear. */
  private static double[][] patients(int n, double shift) {
    double[][] rows = new double[n][];
    for (int i = 0; i < n; i++) {
      double x = 1 + (i * 7 % 11) / 3.0;
      double z = 2 + (i * 5 % 13) / 4.0;
      rows[i] = new double[] {x, z, shift + 0.4 * x - 0.3 * z + ((i * 3 % 7) - 3) / 5.0};
    }
    return rows;
  }

  /** The site's moments as the aggregation gives them, with the cross-products of [1, x, z] and y. */
  private static SiteMoments outcomeMoments(String site, double[][] rows) {
    double sx = 0, sy = 0, sz = 0, xx = 0, xy = 0, xz = 0, yy = 0, yz = 0, zz = 0;
    for (double[] r : rows) {
      sx += r[0];
      sz += r[1];
      sy += r[2];
      xx += r[0] * r[0];
      xz += r[0] * r[1];
      xy += r[0] * r[2];
      zz += r[1] * r[1];
      yz += r[1] * r[2];
      yy += r[2] * r[2];
    }
    int n = rows.length;
    double mx = sx / n;
    double my = sy / n;
    return new SiteMoments(OUTCOME_KEY, site, n, mx, my, (xx - n * mx * mx) / (n - 1), (yy - n * my * my) / (n - 1),
        (xy - n * mx * my) / (n - 1), 0, 0, Double.NaN, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, 0,
        Double.NaN, Double.NaN, new SiteMoments.CrossProductSums(n, sx, sy, sz, xx, xy, xz, yy, yz, zz));
  }

  @Test
  void aMixedModelOfOneSiteSaysARandomSiteInterceptNeedsTwo() {
    SiteMoments only = outcomeMoments("S01", patients(30, 0.0));
    // a second site in the data without a patient for the model, as AnalyzeStage adds it: still one site with data
    for (List<SiteMoments> moments : List.of(List.of(only), List.of(only, SiteMoments.none(OUTCOME_KEY, "S02")))) {
      for (boolean randomSlope : new boolean[] {false, true}) {
        PooledEffect pooled = POOLING.pool(OUTCOME_KEY, OUTCOME,
            moments.stream().map(m -> OUTCOME.kind().siteEffect(OUTCOME, m, 10)).toList());
        IpdModel model = new OneStageModels(null, randomSlope).linearMixed(OUTCOME, OUTCOME_KEY, moments, pooled);
        assertEquals(ONE_SITE, model.notFitted());
        assertNull(model.mixed());
        assertEquals(List.of("S01"), model.sites());
        assertEquals(IpdModel.NOT_COMPARED, model.agreement());

        JsonNode json = AnalysisTables.ipdModels(List.of(model)).get(0);
        assertEquals(ONE_SITE, json.get("not_fitted").asText());
        assertNull(json.get("fixed_effects"), json.toString());
        // n is the patients the one site has for the model, not 0 beside k = 1 (which read as "no patients")
        assertEquals(30, model.n());
        assertEquals(30, json.get("n").asLong(), json.toString());
        assertEquals(1, json.get("k").asInt(), json.toString());
        assertEquals(List.of("1 of 1 one-stage models not fitted: " + ONE_SITE + " (ipd_models.json)"),
            AnalyzeStage.oneStageNotes(List.of(model)));
      }
    }
  }

  @Test
  void aMixedModelOfTwoSitesIsFitted() {
    List<SiteMoments> moments = List.of(outcomeMoments("S01", patients(30, 0.0)),
        outcomeMoments("S02", patients(25, 1.0)));
    IpdModel model = new OneStageModels(null, false).linearMixed(OUTCOME, OUTCOME_KEY, moments, null);
    assertNull(model.notFitted());
    assertNotNull(model.mixed());
    assertEquals(55, model.n());
    assertEquals(List.of(), AnalyzeStage.oneStageNotes(List.of(model)));
  }

  /**
   * With one site in the model the site term has no indicator: the fit is dropout ~ mean_resolution (R's glm
   * refuses the one-level factor), the formula and a note say so, and it equals that plain logistic regression.
   */
  @Test
  void aLogisticModelOfOneSiteIsFittedWithoutTheSiteTermAndSaysSo() {
    List<Row> rows = new ArrayList<>();
    List<double[]> design = new ArrayList<>();
    List<Double> dropout = new ArrayList<>();
    double retained = 0;
    int n = 40;
    for (int i = 0; i < n; i++) {
      double x = 1 + (i * 7 % 17) / 4.0;
      double y = (i * 5 % 9) < 2 + x ? 1.0 : 0.0;   // retained, more often with higher x, not separated
      rows.add(RowFactory.create("S01", "patient", x, y));
      design.add(new double[] {1.0, x});
      dropout.add(1 - y);
      retained += y;
    }
    // S02 kept everyone: it is left out of the model, which then has S01 alone
    for (int i = 0; i < 12; i++) {
      rows.add(RowFactory.create("S02", "patient", 1.0 + i / 4.0, 1.0));
    }
    Dataset<Row> unitRows = spark().createDataFrame(rows,
        StructType.fromDDL("site STRING, rater STRING, x DOUBLE, y DOUBLE"));
    SiteMoments s01 = retentionMoments("S01", n, retained / n);
    SiteMoments s02 = retentionMoments("S02", 12, 1.0);
    LogisticResult plain = LogisticRegression.fit(LogisticRegression.inMemory(design.toArray(double[][]::new),
        dropout.stream().mapToDouble(Double::doubleValue).toArray()), List.of("(Intercept)", "mean_resolution"));

    String note = "only 1 site in the model; fitted without the site term, which needs at least 2";
    for (List<SiteMoments> moments : List.of(List.of(s01), List.of(s01, s02))) {
      IpdModel model = new OneStageModels(spark(), false).logistic(RETENTION, RETENTION_KEY, unitRows, moments, null);
      assertNull(model.notFitted(), model.notFitted());
      assertEquals("dropout ~ mean_resolution", model.formula());
      assertEquals(note, model.note());
      assertEquals(List.of("S01"), model.sites());
      assertEquals(moments.size() == 1 ? List.of() : List.of("S02 (no dropout)"), model.sitesLeftOut());
      assertEquals(n, model.n());
      assertEquals(2, model.logistic().coefficients().size());
      for (Coefficient expected : plain.coefficients()) {
        Coefficient actual = model.logistic().coefficient(expected.name());
        assertEquals(expected.estimate(), actual.estimate(), 1e-9, expected.name());
        assertEquals(expected.se(), actual.se(), 1e-9, expected.name());
      }
      assertEquals(plain.deviance(), model.logistic().deviance(), 1e-9);

      JsonNode json = AnalysisTables.ipdModels(List.of(model)).get(0);
      assertEquals("dropout ~ mean_resolution", json.get("formula").asText());
      assertEquals(note, json.get("note").asText());
      assertEquals(1, json.get("k").asInt());
      assertFalse(json.get("fixed_effects").isEmpty());
      assertEquals(List.of("1 of 1 one-stage models: " + note + " (ipd_models.json)"),
          AnalyzeStage.oneStageNotes(List.of(model)));
    }
  }

  /** Moments of a retention site: only the share retained (meanY) decides whether it enters the model. */
  private static SiteMoments retentionMoments(String site, long n, double retainedShare) {
    return new SiteMoments(RETENTION_KEY, site, n, 2.0, retainedShare, 1.0, 0.2, 0.1, 0, 0, Double.NaN, Double.NaN,
        Double.NaN, 0, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN,
        new SiteMoments.CrossProductSums(0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  }

  private static AnalysisSpec spec(String id) {
    return AnalysisConfig.defaults().analyses().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
  }
}
