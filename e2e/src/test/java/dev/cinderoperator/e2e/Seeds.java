package dev.cinderoperator.e2e;

import java.util.Arrays;
import java.util.stream.Stream;

/**
 * The seeds a seeded scenario runs with: the defaults CI runs, or the comma-separated list in a
 * system property (e.g. {@code -DapiFaultSeeds=1,2,3} to explore more).
 */
final class Seeds {
  private Seeds() {}

  static Stream<Long> of(String property, Long... defaults) {
    String given = System.getProperty(property, "").trim();
    if (given.isEmpty()) {
      return Stream.of(defaults);
    }
    return Arrays.stream(given.split(",")).map(String::trim).map(Long::parseLong);
  }
}
