package dev.cinderoperator.cinder;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenStack series and its place in the order, by the naming rule: from 2023.1 on a series is
 * {@code YYYY.1} (a SLURP release) or {@code YYYY.2} (not), two per year, and Cinder's major
 * version counts them (2023.1 is 22, 2026.1 is 28, 2026.2 is 29); the named series before 2023.1
 * come from a table (zed is 21). So a series released after this code was written is known by its
 * name alone.
 *
 * @param name e.g. {@code zed}, {@code 2026.2}
 * @param cinderMajor the major version of Cinder's packages in this series; orders the series
 * @param slurp whether it is a SLURP release (upgrades may skip to the next SLURP, offline)
 */
public record Series(String name, int cinderMajor, boolean slurp) implements Comparable<Series> {

  /** Cinder's major version of 2023.1, the first series named by year. */
  static final int FIRST_YEAR_MAJOR = 22;

  static final int FIRST_YEAR = 2023;

  /** The named series, by Cinder major: Queens (12) to Zed (21). None of them is SLURP. */
  private static final List<String> NAMED =
      List.of(
          "queens",
          "rocky",
          "stein",
          "train",
          "ussuri",
          "victoria",
          "wallaby",
          "xena",
          "yoga",
          "zed");

  private static final int FIRST_NAMED_MAJOR = 12;

  private static final Pattern YEAR_NAME = Pattern.compile("(\\d{4})\\.([12])");

  /** The series called {@code name}, or empty when the name follows neither rule nor table. */
  public static Optional<Series> named(String name) {
    if (name == null) {
      return Optional.empty();
    }
    int named = NAMED.indexOf(name);
    if (named >= 0) {
      return Optional.of(new Series(name, FIRST_NAMED_MAJOR + named, false));
    }
    Matcher m = YEAR_NAME.matcher(name);
    if (!m.matches()) {
      return Optional.empty();
    }
    int year = Integer.parseInt(m.group(1));
    int half = Integer.parseInt(m.group(2));
    if (year < FIRST_YEAR) {
      return Optional.empty();
    }
    return Optional.of(
        new Series(name, FIRST_YEAR_MAJOR + 2 * (year - FIRST_YEAR) + half - 1, half == 1));
  }

  /** The series whose Cinder packages have this major version (21 is zed, 29 is 2026.2). */
  public static Optional<Series> ofCinderMajor(int major) {
    if (major >= FIRST_YEAR_MAJOR) {
      int n = major - FIRST_YEAR_MAJOR;
      return named((FIRST_YEAR + n / 2) + "." + (n % 2 + 1));
    }
    int named = major - FIRST_NAMED_MAJOR;
    return named >= 0 && named < NAMED.size() ? named(NAMED.get(named)) : Optional.empty();
  }

  /** The series right after this one. */
  public Series next() {
    return ofCinderMajor(cinderMajor + 1).orElseThrow();
  }

  /** How the names of series look, for messages. */
  public static String describeNames() {
    return String.join(", ", NAMED)
        + ", or YYYY.1 / YYYY.2 from 2023.1 on (e.g. 2026.1, 2026.2; the .1 series are SLURP)";
  }

  @Override
  public int compareTo(Series o) {
    return Integer.compare(cinderMajor, o.cinderMajor);
  }

  @Override
  public String toString() {
    return name;
  }
}
