package org.rupture.pipeline.generate;

/**
 * Invented personal names for the identifier and free-text columns that real exports carry and that
 * mappings must drop. German-language lists stay within Windows-1252; the international list has
 * characters outside it and is only written to UTF-8 files.
 */
final class FakeNames {
  private static final String[] FIRST_INTERNATIONAL = {"Ana", "José", "Zoë", "Søren", "Łukasz",
      "Chloé", "Mia", "Noah", "Aiko", "Mateo", "Ines", "Björn", "Amara", "Liam", "Yusuf", "Elif"};
  private static final String[] LAST_INTERNATIONAL = {"García", "Nowak", "Sørensen", "O'Brien",
      "Dubois", "Rossi", "Yılmaz", "Smith", "Tanaka", "Novák", "Costa", "Jensen", "Müller", "Okafor"};
  private static final String[] FIRST_GERMAN = {"Jürgen", "Jörg", "Käthe", "Sören", "Björn", "Anna",
      "Lena", "Paul", "Ines", "Matthäus", "Zoë", "René", "Frédéric", "Hannah", "Lukas", "Maëlle",
      "Tobias", "Ursula", "Özlem", "Agnès"};
  private static final String[] LAST_GERMAN = {"Müller", "Weiß", "Schäfer", "Groß", "Böhm", "Köhler",
      "Lefèvre", "Hübner", "Krämer", "Schröder", "Jäger", "Voß", "Fuchs", "Wagner", "Öztürk",
      "Peña", "Dürr", "Brandt", "Löwe", "Strauß"};

  private FakeNames() {}

  /** A person name from the international list, chosen by a hash. */
  static String international(long hash) {
    return pick(FIRST_INTERNATIONAL, hash) + " " + pick(LAST_INTERNATIONAL, hash >>> 20);
  }

  /** A person name from the German list (Windows-1252 safe), chosen by a hash. */
  static String german(long hash) {
    return pick(FIRST_GERMAN, hash) + " " + pick(LAST_GERMAN, hash >>> 20);
  }

  /**
   * A distinct German therapist name for each index below {@value
   * CohortModel#MAX_THERAPISTS_PER_SITE} (the full cross product of the two lists).
   */
  static String therapist(int index) {
    return "Dr. " + FIRST_GERMAN[index % FIRST_GERMAN.length] + " "
        + LAST_GERMAN[index / FIRST_GERMAN.length % LAST_GERMAN.length];
  }

  /** An ASCII e-mail address (reserved example domain), chosen by a hash. */
  static String email(long hash, int number) {
    String[] first = {"anna", "ben", "clara", "david", "eva", "felix", "greta", "hugo"};
    String[] last = {"meyer", "schmidt", "lopez", "kowalski", "nielsen", "rossi", "brown", "tan"};
    return pick(first, hash) + "." + pick(last, hash >>> 20) + number + "@example.org";
  }

  private static String pick(String[] values, long hash) {
    return values[(int) Long.remainderUnsigned(hash, values.length)];
  }
}
