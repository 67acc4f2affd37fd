package org.rupture.pipeline.generate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The export dialects the generator writes, each with the shared mapping profile (a resource beside
 * this class, copied to {@code conf/sites/profiles/}) that tells the ingest stage how to read it.
 */
enum ExportDialect {
  /** Long CSV, comma, UTF-8 with BOM, ISO dates, raters P/T. */
  LONG_CSV("long-csv", 7),
  /** Wide, one row per patient and rater, semicolon, decimal comma, Windows-1252, dd.MM.yyyy. */
  WIDE_EXPORT("wide-export", 7),
  /** Survey-tool export: three header lines, 1/2 codes, -99/-98, 5-point reverse-keyed alliance. */
  SURVEY_TOOL("survey-psq", SurveyToolExport.ALLIANCE_POINTS);

  private final String profile;
  private final int alliancePoints;

  ExportDialect(String profile, int alliancePoints) {
    this.profile = profile;
    this.alliancePoints = alliancePoints;
  }

  /** Profile name: {@code profiles/<name>.yaml} under {@code conf/sites/}. */
  String profile() {
    return profile;
  }

  /** Points of the alliance item scale this dialect's questionnaire uses. */
  int alliancePoints() {
    return alliancePoints;
  }

  /** Opens a writer for one site in this dialect (folders, files and headers created). */
  SiteExport open(Path siteDir, int siteIndex, long seed, List<Delivery> deliveries, int sessions)
      throws IOException {
    SiteExport export = switch (this) {
      case LONG_CSV -> new LongCsvExport(siteDir, siteIndex, seed, deliveries, sessions);
      case WIDE_EXPORT -> new WideExport(siteDir, siteIndex, seed, deliveries, sessions);
      case SURVEY_TOOL -> new SurveyToolExport(siteDir, siteIndex, seed, deliveries, sessions);
    };
    try {
      export.open();
    } catch (IOException e) {
      try (export) {
        throw e;
      }
    }
    return export;
  }
}
