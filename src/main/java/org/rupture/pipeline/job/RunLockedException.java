package org.rupture.pipeline.job;

/**
 * Another run holds the output folder's lock (exit code 4): a scheduler should retry later rather than
 * report a failure of the data or the configuration.
 */
public final class RunLockedException extends RuntimeException {
  public RunLockedException(String message) {
    super(message);
  }
}
