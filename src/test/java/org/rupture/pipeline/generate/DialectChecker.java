package org.rupture.pipeline.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads landing files the way their site mapping declares (docs/site-mapping.md) and checks them:
 * strict decoding in the declared charset, the header and extra header lines, a field count equal
 * to the header's on every row, every mapped column present. In strict mode it also checks every
 * value: dates parse with the declared format, numbers with the declared decimal separator and
 * inside the declared scale, codes are in the value maps, unless the value is a declared missing
 * code. Independent of the generator's writers: it only knows the mapping schema.
 */
final class DialectChecker {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Path confSites;
  private final Path landing;
  /** Data rows checked per mapping file name. */
  final Map<String, Integer> rowsChecked = new LinkedHashMap<>();
  /** Site folders claimed by some mapping. */
  final Set<String> claimedSites = new TreeSet<>();

  DialectChecker(Path confSites, Path landing) {
    this.confSites = confSites;
    this.landing = landing;
  }

  /** Checks every mapping under conf/sites against the site folders it claims. */
  void checkAll(boolean strictValues) throws IOException {
    try (Stream<Path> mappings = Files.list(confSites)) {
      for (Path mapping : mappings.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        Map<String, Object> m = load(mapping);
        for (String site : claimed(m)) {
          assertTrue(claimedSites.add(site), site + " claimed twice");
          try (Stream<Path> deliveries = Files.list(landing.resolve(site))) {
            for (Path delivery : deliveries.sorted().toList()) {
              checkDelivery(mapping.getFileName().toString(), m, delivery, strictValues);
            }
          }
        }
      }
    }
  }

  /** The mapping with its {@code extends} chain merged (maps recursively, lists replace). */
  @SuppressWarnings("unchecked")
  Map<String, Object> load(Path file) throws IOException {
    Map<String, Object> m = YAML.readValue(file.toFile(), Map.class);
    Object parent = m.remove("extends");
    if (parent == null) {
      return m;
    }
    Map<String, Object> base = load(confSites.resolve(parent.toString()));
    merge(base, m);
    return base;
  }

  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> base, Map<String, Object> over) {
    for (Map.Entry<String, Object> e : over.entrySet()) {
      Object old = base.get(e.getKey());
      if (old instanceof Map && e.getValue() instanceof Map) {
        merge((Map<String, Object>) old, (Map<String, Object>) e.getValue());
      } else {
        base.put(e.getKey(), e.getValue());
      }
    }
  }

  @SuppressWarnings("unchecked")
  private List<String> claimed(Map<String, Object> m) throws IOException {
    List<String> sites = new ArrayList<>();
    if (m.containsKey("site")) {
      sites.add(m.get("site").toString());
    }
    if (m.containsKey("sites")) {
      sites.addAll((List<String>) m.get("sites"));
    }
    if (m.containsKey("site_pattern")) {
      PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + m.get("site_pattern"));
      try (Stream<Path> dirs = Files.list(landing)) {
        dirs.map(Path::getFileName).filter(glob::matches).map(Path::toString).sorted()
            .forEach(sites::add);
      }
    }
    return sites;
  }

  @SuppressWarnings("unchecked")
  private void checkDelivery(String mappingName, Map<String, Object> m, Path delivery,
      boolean strict) throws IOException {
    Map<String, Object> dialect = (Map<String, Object>) m.get("dialect");
    for (String part : List.of("sessions", "patients")) {
      Map<String, Object> section = (Map<String, Object>) m.get(part);
      PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + section.get("files"));
      List<Path> files;
      try (Stream<Path> list = Files.list(delivery)) {
        files = list.filter(p -> glob.matches(p.getFileName())).sorted().toList();
      }
      assertEquals(1, files.size(), part + " files in " + delivery);
      checkFile(mappingName, m, dialect, part, section, files.get(0), strict);
    }
  }

  @SuppressWarnings("unchecked")
  private void checkFile(String mappingName, Map<String, Object> m, Map<String, Object> dialect,
      String part, Map<String, Object> section, Path file, boolean strict) throws IOException {
    Charset charset = Charset.forName(dialect.get("encoding").toString());
    String text;
    try {
      text = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
    } catch (CharacterCodingException e) {
      throw new AssertionError(file + " is not valid " + charset, e);
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    char delimiter = dialect.get("delimiter").toString().charAt(0);
    char quote = dialect.get("quote").toString().charAt(0);
    List<List<String>> rows = parse(text, delimiter, quote, file);
    List<String> header = rows.get(0);
    int extra = ((Number) dialect.get("extra_header_lines")).intValue();
    for (int i = 1; i < rows.size(); i++) {
      assertEquals(header.size(), rows.get(i).size(), file + " line " + (i + 1) + " field count");
    }
    String pattern = (String) section.get("session_column_pattern");
    Map<String, String> columns = new LinkedHashMap<>((Map<String, String>) section.get("columns"));
    boolean wide = "wide".equals(section.get("layout"));
    Map<String, Object> alliance = (Map<String, Object>) section.get("alliance");
    if (alliance != null) {
      for (String item : (List<String>) alliance.get("items")) {
        columns.put("alliance item " + item, item);
      }
    }
    Map<String, Map<String, Object>> extras =
        (Map<String, Map<String, Object>>) section.get("extra");
    if (extras != null) {
      extras.forEach((name, spec) -> columns.put(name, spec.get("column").toString()));
    }
    List<String> rowLevel = List.of("patient", "therapist", "rater");
    Map<String, Integer> index = new LinkedHashMap<>();
    for (Map.Entry<String, String> c : columns.entrySet()) {
      String column = c.getValue();
      if (wide && !rowLevel.contains(c.getKey())) {
        column = pattern.replace("{field}", column).replace("{session}", "1");
      }
      int at = header.indexOf(column);
      assertTrue(at >= 0, file + ": mapped column " + column + " (" + c.getKey() + ") missing");
      index.put(c.getKey(), at);
    }
    rowsChecked.merge(mappingName + " " + part, rows.size() - 1 - extra, Integer::sum);
    if (!strict) {
      return;
    }
    List<String> missing = (List<String>) m.get("missing_codes");
    char decimal = dialect.get("decimal").toString().charAt(0);
    DateTimeFormatter dates = DateTimeFormatter.ofPattern(
        ((List<String>) dialect.get("date_formats")).get(0));
    Map<String, List<Number>> scales = (Map<String, List<Number>>) section.get("scales");
    for (int i = 1 + extra; i < rows.size(); i++) {
      List<String> row = rows.get(i);
      String where = file + " line " + (i + 1);
      for (Map.Entry<String, Integer> c : index.entrySet()) {
        String field = c.getKey();
        String value = row.get(c.getValue());
        if (missing.contains(value)) {
          continue;
        }
        switch (field) {
          case "session_date" -> checkDate(value, dates, where);
          case "rater" -> assertTrue(((Map<String, ?>) section.get("rater_codes"))
              .containsKey(value), where + ": rater " + value);
          case "rupture_present" -> assertTrue(anyContains(
              ((Map<String, List<String>>) section.get("yes_no")).values(), value),
              where + ": yes/no " + value);
          case "treatment" -> assertTrue(((Map<String, ?>) section.get("treatment_codes"))
              .containsKey(value), where + ": treatment " + value);
          case "dropout" -> assertTrue(anyContains(
              ((Map<String, List<String>>) section.get("dropout_codes")).values(), value),
              where + ": dropout " + value);
          case "training_phase" -> assertTrue(anyContains(
              ((Map<String, List<String>>) section.get("training_phase_codes")).values(), value),
              where + ": training phase " + value);
          case "session_number", "sessions_attended" ->
              assertTrue(Integer.parseInt(value) >= 1, where + ": " + field + " " + value);
          default -> {
            List<Number> range = scales != null ? scales.get(field) : null;
            if (field.startsWith("alliance item")) {
              range = (List<Number>) alliance.get("scale");
            } else if (extras != null && extras.containsKey(field)) {
              range = (List<Number>) extras.get(field).get("scale");
            }
            if (range != null) {
              double v = Double.parseDouble(value.replace(decimal, '.'));
              assertTrue(v >= range.get(0).doubleValue() && v <= range.get(1).doubleValue(),
                  where + ": " + field + " " + value + " outside " + range);
            }
          }
        }
      }
      if ("patients".equals(part)) {
        for (Map<String, Object> outcome : (List<Map<String, Object>>) section.get("outcomes")) {
          List<Number> range = (List<Number>) outcome.get("range");
          for (String key : List.of("baseline", "termination")) {
            int at = header.indexOf(outcome.get(key).toString());
            assertTrue(at >= 0, file + ": outcome column " + outcome.get(key) + " missing");
            String value = row.get(at);
            if (!missing.contains(value)) {
              double v = Double.parseDouble(value.replace(decimal, '.'));
              assertTrue(v >= range.get(0).doubleValue() && v <= range.get(1).doubleValue(),
                  where + ": " + outcome.get("measure") + " " + key + " " + value);
            }
          }
        }
      }
    }
  }

  private static boolean anyContains(Collection<List<String>> lists, String value) {
    return lists.stream().anyMatch(l -> l.contains(value));
  }

  private static void checkDate(String value, DateTimeFormatter format, String where) {
    try {
      if (format.toString().contains("HourOfDay")) {
        LocalDateTime.parse(value, format);
      } else {
        LocalDate.parse(value, format);
      }
    } catch (DateTimeParseException e) {
      fail(where + ": date " + value + " does not match the declared format");
    }
  }

  /** RFC 4180 records: quoted fields may hold delimiters, doubled quotes and line breaks. */
  static List<List<String>> parse(String text, char delimiter, char quote, Path file) {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == quote && i + 1 < text.length() && text.charAt(i + 1) == quote) {
          field.append(quote);
          i += 2;
          continue;
        }
        if (c == quote) {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == quote && field.length() == 0) {
        quoted = true;
      } else if (c == delimiter) {
        row.add(field.toString());
        field.setLength(0);
      } else if (c == '\r' || c == '\n') {
        row.add(field.toString());
        field.setLength(0);
        rows.add(row);
        row = new ArrayList<>();
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
      } else {
        field.append(c);
      }
      i++;
    }
    assertTrue(!quoted, file + ": unterminated quote");
    if (field.length() > 0 || !row.isEmpty()) {
      row.add(field.toString());
      rows.add(row);
    }
    return rows;
  }
}
