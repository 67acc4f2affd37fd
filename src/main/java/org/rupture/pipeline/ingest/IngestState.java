package org.rupture.pipeline.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.rupture.pipeline.config.SiteMapping;

/**
 * What a run remembers of its ingest so that the next run parses only new or changed files
 * (docs/operations.md, "Incremental ingest"). It lives in the run's folder under
 * {@code restricted/ingest_state/} because the stored records hold the raw lines of quarantined rows:
 * <ul>
 *   <li>{@code files.json}: per landed file its kind, mapping id and mapping fingerprint, size, modification
 *       time and SHA-256, and the {@link Compatibility} under which the records were made;</li>
 *   <li>{@code session_records/}, {@code patient_records/}: the field rules' output for every record of
 *       every file (Parquet), including each file's summary record, so that a file taken over is neither
 *       parsed nor validated again; raw lines only where a rule quarantined the row. Accepted session
 *       records without field issues are not stored twice: they are the run's curated
 *       {@code session_ratings} rows, from which the next run rebuilds them (format 3).</li>
 * </ul>
 * Keeping the state in the run folder means it is published, and retained, together with the data it
 * produced: a run that fails or is killed leaves the published state untouched.
 */
public final class IngestState {
  static final int FORMAT = 3;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();

  /** One ingested file as the state remembers it. */
  public record FileEntry(String file, SourceFile.Kind kind, String mappingId, String mappingHash, long bytes,
      long modified, String sha256) {}

  /**
   * Stored records are reusable only when all of these are unchanged: the pseudonymisation key (records hold
   * keyed ids), the staging schema and the software version with the parser's revision (records are parser
   * output).
   */
  public record Compatibility(String keyFingerprint, String stagingHash, String software) {
    public static Compatibility of(KeyHasher keys, String software) {
      return new Compatibility(keys.key("ingest-state", "key-fingerprint"),
          sha256(StagedRows.SESSIONS.json() + StagedRows.PATIENTS.json()), software + "+parser." + FileParser.REVISION);
    }
  }

  private final String dir;
  private final Compatibility compatibility;
  private final Map<String, FileEntry> files;

  private IngestState(String dir, Compatibility compatibility, Map<String, FileEntry> files) {
    this.dir = dir;
    this.compatibility = compatibility;
    this.files = files;
  }

  /** No previous state: every file is parsed. */
  public static IngestState none() {
    return new IngestState(null, null, Map.of());
  }

  /** The state kept in {@code dir}, or {@link #none()} when the folder holds none (e.g. an older layout). */
  public static IngestState load(String dir, Configuration conf) {
    Path p = new Path(dir, "files.json");
    try (InputStream in = p.getFileSystem(conf).open(p)) {
      JsonNode root = JSON.readTree(in);
      if (root.path("format").asInt() != FORMAT) {
        return none();
      }
      Map<String, FileEntry> files = new LinkedHashMap<>();
      for (JsonNode f : root.path("files")) {
        FileEntry e = new FileEntry(f.get("file").asText(), SourceFile.Kind.valueOf(f.get("kind").asText()),
            f.get("mapping_id").asText(), f.get("mapping_hash").asText(), f.get("bytes").asLong(),
            f.get("modified").asLong(), f.get("sha256").asText());
        files.put(e.file(), e);
      }
      Compatibility c = new Compatibility(root.get("key_fingerprint").asText(), root.get("staging_hash").asText(),
          root.get("software").asText());
      return new IngestState(dir, c, files);
    } catch (FileNotFoundException e) {
      return none();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the ingest state " + p, e);
    }
  }

  /** Writes {@code files.json} into {@code dir} (the stored records are written by the ingest stage). */
  public static void write(String dir, Compatibility compatibility, Collection<FileEntry> files, Configuration conf) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("key_fingerprint", compatibility.keyFingerprint());
    root.put("staging_hash", compatibility.stagingHash());
    root.put("software", compatibility.software());
    ArrayNode list = root.putArray("files");
    for (FileEntry e : files) {
      ObjectNode f = list.addObject();
      f.put("file", e.file());
      f.put("kind", e.kind().name());
      f.put("mapping_id", e.mappingId());
      f.put("mapping_hash", e.mappingHash());
      f.put("bytes", e.bytes());
      f.put("modified", e.modified());
      f.put("sha256", e.sha256());
    }
    Path p = new Path(dir, "files.json");
    try (OutputStream out = p.getFileSystem(conf).create(p, true)) {
      out.write(JSON.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the ingest state " + p, e);
    }
  }

  /** The stored records of one kind: the field rules' output of every file. */
  public static String records(String dir, SourceFile.Kind kind) {
    return dir + (kind == SourceFile.Kind.SESSIONS ? "/session_records" : "/patient_records");
  }

  /** The folder the state was loaded from, or null for {@link #none()}. */
  public String dir() {
    return dir;
  }

  /** Whether records stored under this state can be reused under {@code now}. */
  public boolean compatibleWith(Compatibility now) {
    return dir != null && now.equals(compatibility);
  }

  public Map<String, FileEntry> files() {
    return files;
  }

  /**
   * A fingerprint of everything a mapping says (after {@code extends} is resolved), but not where its file
   * lives: a site's files are parsed again when it changes.
   */
  public static String mappingHash(SiteMapping mapping) {
    ObjectNode tree = CANONICAL.valueToTree(mapping);
    tree.remove("file");
    try {
      return sha256(CANONICAL.writeValueAsString(tree));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot fingerprint the mapping " + mapping.file(), e);
    }
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
