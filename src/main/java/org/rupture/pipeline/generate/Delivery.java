package org.rupture.pipeline.generate;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * One drop of files into a site's landing folder: it holds every session held on or before its
 * cutoff day (the full history, as sites re-deliver everything each time), and is named by the day
 * after the cutoff, so that folder names sort in delivery order.
 *
 * @param name folder name, an ISO date
 * @param cutoffDay last epoch day whose sessions are included
 */
record Delivery(String name, int cutoffDay) {
  /** Days between two deliveries, at most. */
  private static final int SPACING_DAYS = 90;

  /**
   * {@code count} deliveries, the last holding everything; earlier ones are cut off before the end
   * of the intake window so that each later delivery adds sessions.
   */
  static List<Delivery> schedule(int count, int sessions) {
    int intakeEnd = (int) CohortModel.INTAKE_END.toEpochDay();
    int window = intakeEnd - (int) CohortModel.INTAKE_START.toEpochDay();
    int spacing = Math.min(SPACING_DAYS, window / count);
    List<Delivery> deliveries = new ArrayList<>(count);
    for (int k = 1; k < count; k++) {
      int cutoff = intakeEnd - (count - k) * spacing;
      deliveries.add(new Delivery(LocalDate.ofEpochDay(cutoff + 1).toString(), cutoff));
    }
    int last = CohortModel.lastPossibleSessionDay(sessions);
    deliveries.add(new Delivery(LocalDate.ofEpochDay(last + 1).toString(), last));
    return deliveries;
  }
}
