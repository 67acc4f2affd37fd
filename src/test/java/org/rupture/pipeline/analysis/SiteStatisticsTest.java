package org.rupture.pipeline.analysis;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.rupture.pipeline.testing.SparkTestBase;

/** The per-patient session sums that r_rm analyses are built from (within-patient centred sums). */
class SiteStatisticsTest extends SparkTestBase {
  @Test
  void sessionUnitsHoldEachPatientsMeansAndCentredSums() {
    Dataset<Row> sessions = spark().sql("SELECT * FROM VALUES "
        + "('s1', 'p1', 'patient', 1, 1.0D, 2.0D), ('s1', 'p1', 'patient', 2, 2.0D, 4.0D), "
        + "('s1', 'p1', 'patient', 3, 3.0D, 3.0D), ('s1', 'p1', 'patient', 4, 9.0D, CAST(NULL AS DOUBLE)), "
        + "('s1', 'p1', 'therapist', 1, 7.0D, 7.0D), ('s1', 'p2', 'patient', 1, 5.0D, 5.0D) "
        + "AS t(site, patient_key, rater, session_number, a, b)");
    AnalysisInputs inputs = new AnalysisInputs(sessions, null, null, null, List.of(), null);
    SiteStatistics.SessionPair pair = new SiteStatistics.SessionPair("pair", List.of("patient"),
        col("a").isNotNull().and(col("b").isNotNull()), col("a"), col("b"));

    Map<String, Row> units = SiteStatistics.sessionUnits(inputs, List.of(pair)).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs(SiteStatistics.UNIT), r -> r));

    assertEquals(2, units.size(), "the therapist's rows are not the pair's; p1's incomplete row is left out");
    Row p1 = units.get("p1");
    assertEquals("pair", p1.getAs(SiteStatistics.ANALYSIS));
    assertEquals("patient", p1.getAs(SiteStatistics.RATER));
    assertEquals(3L, (long) p1.getAs(SiteStatistics.ROWS));
    assertEquals(2.0, p1.getAs(SiteStatistics.X), 1e-12);
    assertEquals(3.0, p1.getAs(SiteStatistics.Y), 1e-12);
    // x - mean = (-1, 0, 1), y - mean = (-1, 1, 0)
    assertEquals(2.0, p1.getAs(SiteStatistics.WXX), 1e-12);
    assertEquals(2.0, p1.getAs(SiteStatistics.WYY), 1e-12);
    assertEquals(1.0, p1.getAs(SiteStatistics.WXY), 1e-12);
    Row p2 = units.get("p2");
    assertEquals(1L, (long) p2.getAs(SiteStatistics.ROWS));
    assertEquals(0.0, p2.getAs(SiteStatistics.WXX), 1e-12);
    assertEquals(5.0, p2.getAs(SiteStatistics.X), 1e-12);
  }
}
