package org.rupture.pipeline.ingest;

/** Input rejected by a data-quality threshold: nothing is published, exit code 3. */
public class DataQualityException extends RuntimeException {
  public DataQualityException(String message) {
    super(message);
  }
}
