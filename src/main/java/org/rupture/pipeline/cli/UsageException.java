package org.rupture.pipeline.cli;

/** Bad command-line usage: printed with the usage line, exit code 2. */
public class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message);
  }
}
