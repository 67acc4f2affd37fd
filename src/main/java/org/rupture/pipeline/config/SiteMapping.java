package org.rupture.pipeline.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.io.Serializable;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One validated site mapping (a {@code conf/sites/*.yaml} file after {@code extends} is resolved).
 * {@code sources} says which file (the mapping or a profile) sets each key, so that a check against
 * the landed files names the file to change; it is no part of what the mapping says (not in
 * {@code IngestState.mappingHash}). Serializable because the ingest stage ships it to the executors that
 * parse the files.
 * The YAML schema is documented in {@code docs/site-mapping.md}.
 */
public record SiteMapping(
    String id,
    String file,
    List<String> sites,
    String sitePattern,
    Dialect dialect,
    List<String> missingCodes,
    List<String> dropColumns,
    SessionsSpec sessions,
    PatientsSpec patients,
    @JsonIgnore KeySources sources) implements Serializable {

  /** {@code sources} null: every key is the mapping's own (it extends no profile). */
  public SiteMapping {
    sources = sources == null ? KeySources.of(file) : sources;
  }

  /** Canonical ranges of SPEC section 4: ratings are rescaled linearly onto these. */
  public static final double[] INTENSITY_RANGE = {1, 5};
  public static final double[] RESOLUTION_RANGE = {1, 5};
  public static final double[] QUALITY_RANGE = {1, 5};
  public static final double[] ALLIANCE_RANGE = {1, 7};

  public boolean claims(String siteFolder) {
    if (sites.contains(siteFolder)) {
      return true;
    }
    if (sitePattern == null) {
      return false;
    }
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + sitePattern);
    return m.matches(Path.of(siteFolder));
  }

  public enum Layout { LONG, WIDE }

  public record Dialect(
      char delimiter,
      char quote,
      String encoding,
      char decimal,
      int extraHeaderLines,
      List<String> dateFormats) implements Serializable {}

  public record AllianceSpec(List<String> items, double[] scale, List<String> reverse, int minItems)
      implements Serializable {}

  public record ExtraVariable(String name, String column, double[] scale, double[] target)
      implements Serializable {}

  public record SessionsSpec(
      String files,
      Layout layout,
      String sessionColumnPattern,
      Map<String, String> columns,
      String raterValue,
      Map<String, String> raterCodes,
      Map<String, List<String>> yesNo,
      Map<String, double[]> scales,
      AllianceSpec alliance,
      List<ExtraVariable> extras) implements Serializable {

    /**
     * The source column for a canonical field in a given session (wide: via the pattern, unpadded). A
     * header may spell it otherwise ({@code _s01}): to find a session's columns, match
     * {@link #sessionColumnRegex}.
     */
    public String column(String field, int session) {
      String base = columns.get(field);
      if (base == null || layout == Layout.LONG) {
        return base;
      }
      return sessionColumn(base, session);
    }

    public String sessionColumn(String base, int session) {
      return sessionColumnPattern.replace("{field}", base).replace("{session}", Integer.toString(session));
    }

    /**
     * Header names of {@code base}'s session columns, the session number's digits as group 1. Case is
     * ignored as {@code HeaderIndex} ignores it, and the digits may be zero-padded: exports write
     * {@code _s01} as often as {@code _s1}.
     */
    public Pattern sessionColumnRegex(String base) {
      String[] parts = sessionColumnPattern.replace("{field}", base).split("\\{session}", -1);
      return Pattern.compile(Pattern.quote(parts[0]) + "(\\d+)" + Pattern.quote(parts.length > 1 ? parts[1] : ""),
          Pattern.CASE_INSENSITIVE);
    }
  }

  public record OutcomeSpec(
      String measure, String baseline, String termination, String direction, double[] range)
      implements Serializable {}

  public record PatientsSpec(
      String files,
      Map<String, String> columns,
      Map<String, String> treatmentCodes,
      Map<String, List<String>> dropoutCodes,
      Map<String, List<String>> trainingPhaseCodes,
      List<OutcomeSpec> outcomes) implements Serializable {}
}
