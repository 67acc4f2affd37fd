package org.rupture.pipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files an incremental run parses, decided from the previous run's state (written and read back). */
class IngestPlanTest {
  static final IngestState.Compatibility NOW = new IngestState.Compatibility("key", "staging", "1.0");
  static final Map<String, String> MAPPINGS = Map.of("long", "hash-long", "wide", "hash-wide");

  @TempDir Path dir;
  /** The files the checksum function was asked to read. */
  final List<String> checksummed = new ArrayList<>();
  final Map<String, String> contents = new HashMap<>();

  static SourceFile file(String rel, String mapping, long bytes, long modified) {
    String[] parts = rel.split("/");
    return new SourceFile("/landing/" + rel, parts[0], parts[1],
        parts[2].startsWith("patients") ? SourceFile.Kind.PATIENTS : SourceFile.Kind.SESSIONS, mapping, bytes, modified);
  }

  IngestState previous(IngestState.Compatibility compatibility, SourceFile... files) {
    List<IngestState.FileEntry> entries = new ArrayList<>();
    for (SourceFile f : files) {
      entries.add(new IngestState.FileEntry(f.relativePath(), f.kind(), f.mappingId(), MAPPINGS.get(f.mappingId()),
          f.bytes(), f.modified(), "sha-" + f.relativePath()));
      contents.put(f.relativePath(), "sha-" + f.relativePath());
    }
    IngestState.write(dir.toString(), compatibility, entries, new Configuration());
    return IngestState.load(dir.toString(), new Configuration());
  }

  IngestPlan plan(IngestState previous, Map<String, String> mappings, boolean verify, SourceFile... now) {
    return IngestPlan.of(new LandingInventory(List.of(now), List.of(), List.of()), previous, NOW, mappings, verify,
        files -> {
          Map<String, String> sums = new HashMap<>();
          files.forEach(f -> {
            checksummed.add(f.relativePath());
            sums.put(f.relativePath(), contents.get(f.relativePath()));
          });
          return sums;
        });
  }

  static List<String> names(List<SourceFile> files) {
    return files.stream().map(SourceFile::relativePath).toList();
  }

  @Test
  void unchangedFilesAreTakenOverNewAndChangedOnesParsed() {
    SourceFile same = file("a/d1/sessions.csv", "long", 100, 1);
    SourceFile rewritten = file("a/d1/patients.csv", "long", 50, 1);
    SourceFile grown = file("b/d1/sessions.csv", "wide", 70, 1);
    IngestState previous = previous(NOW, same, rewritten, grown);
    contents.put("a/d1/patients.csv", "sha-of-new-bytes-of-the-same-size");
    SourceFile touched = file("a/d1/sessions.csv", "long", 100, 99);
    SourceFile late = file("a/d0/sessions.csv", "long", 10, 5);
    IngestPlan p = plan(previous, MAPPINGS, true, touched, rewritten, file("b/d1/sessions.csv", "wide", 80, 1), late);
    assertEquals(List.of("a/d1/sessions.csv"), names(p.reuse()));
    assertEquals(List.of("a/d1/patients.csv", "b/d1/sessions.csv", "a/d0/sessions.csv"), names(p.parse()));
    assertEquals(List.of("a/d1/sessions.csv", "a/d1/patients.csv"), checksummed, "a size change needs no read");
  }

  @Test
  void withoutChecksumVerificationSizeAndModificationTimeDecideAndNothingIsRead() {
    SourceFile f = file("a/d1/sessions.csv", "long", 100, 1);
    IngestState previous = previous(NOW, f);
    assertEquals(List.of("a/d1/sessions.csv"), names(plan(previous, MAPPINGS, false, f).reuse()));
    assertEquals(List.of("a/d1/sessions.csv"),
        names(plan(previous, MAPPINGS, false, file("a/d1/sessions.csv", "long", 100, 2)).parse()));
    assertEquals(List.of(), checksummed);
  }

  @Test
  void aChangedMappingOrAnotherKindReparsesTheFile() {
    SourceFile f = file("a/d1/sessions.csv", "long", 100, 1);
    IngestState previous = previous(NOW, f);
    assertEquals(List.of(f), plan(previous, Map.of("long", "edited"), true, f).parse());
    assertEquals(List.of("a/d1/sessions.csv"), names(plan(previous, MAPPINGS, true,
        file("a/d1/sessions.csv", "wide", 100, 1)).parse()), "claimed by another mapping now");
  }

  @Test
  void storedRecordsOfAnotherKeyStagingSchemaOrVersionAreNotReused() {
    SourceFile f = file("a/d1/sessions.csv", "long", 100, 1);
    for (IngestState.Compatibility other : List.of(new IngestState.Compatibility("other-key", "staging", "1.0"),
        new IngestState.Compatibility("key", "other-schema", "1.0"), new IngestState.Compatibility("key", "staging", "1.1"))) {
      assertEquals(List.of(f), plan(previous(other, f), MAPPINGS, true, f).parse(), other.toString());
    }
    assertEquals(List.of(f), plan(IngestState.none(), MAPPINGS, true, f).parse());
    assertEquals(List.of(), checksummed);
  }

  @Test
  void storedRecordsOfAnEarlierParserRevisionAreNotReusedUnderTheSameVersion() {
    // a parsing fix ships under the same version number; without this, a nightly run would keep the
    // old parser's records of every unchanged file
    SourceFile f = file("a/d1/sessions.csv", "long", 100, 1);
    IngestState.Compatibility now = IngestState.Compatibility.of(new KeyHasher("0123456789abcdef-test".getBytes()), "1.0");
    for (String earlier : List.of("1.0", "1.0+parser." + (FileParser.REVISION - 1))) {
      IngestState.Compatibility before = new IngestState.Compatibility(now.keyFingerprint(), now.stagingHash(), earlier);
      assertFalse(previous(before, f).compatibleWith(now), earlier);
    }
    assertTrue(previous(now, f).compatibleWith(now));
  }
}
