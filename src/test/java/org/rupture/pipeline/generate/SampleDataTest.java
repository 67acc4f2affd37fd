package org.rupture.pipeline.generate;

/** Stub. */
class SampleDataTest {
  static final long SEED = 2024;
  static final int SITES = 8;
  static final int PATIENTS_PER_SITE = 50;
  static final int SESSIONS = 12;
}
