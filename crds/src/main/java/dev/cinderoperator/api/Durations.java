package dev.cinderoperator.api;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;

/** Kubernetes-style durations ({@code 90s}, {@code 10m}, {@code 1h30m}). */
public final class Durations {
  /** What the schema accepts: one or more number+unit pairs, units ms, s, m, h. */
  public static final String PATTERN = "^([0-9]+(ms|s|m|h))+$";

  private static final java.util.regex.Pattern PART =
      java.util.regex.Pattern.compile("([0-9]+)(ms|s|m|h)");

  private Durations() {}

  /** The duration, or empty when the text is not a valid duration. */
  public static Optional<Duration> parse(String text) {
    if (text == null || !text.matches(PATTERN)) {
      return Optional.empty();
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      long n;
      try {
        n = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
      total =
          switch (m.group(2)) {
            case "ms" -> total.plusMillis(n);
            case "s" -> total.plusSeconds(n);
            case "m" -> total.plusMinutes(n);
            default -> total.plusHours(n);
          };
    }
    return Optional.of(total);
  }

  /** Formats as the largest units that fit: {@code 1h30m}, {@code 90s} becomes {@code 1m30s}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    long h = d.toHours();
    long m = d.toMinutesPart();
    long s = d.toSecondsPart();
    long ms = d.toMillisPart();
    if (h > 0) b.append(h).append('h');
    if (m > 0) b.append(m).append('m');
    if (s > 0) b.append(s).append('s');
    if (ms > 0) b.append(ms).append("ms");
    return b.toString();
  }
}
