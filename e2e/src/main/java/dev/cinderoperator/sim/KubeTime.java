package dev.cinderoperator.sim;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** A timestamp as the API server writes it into status and conditions: RFC 3339, whole seconds. */
public final class KubeTime {
  private KubeTime() {}

  public static String format(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }
}
