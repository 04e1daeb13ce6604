package dev.cinderoperator.cinder;

import dev.cinderoperator.api.ServiceStatus;
import dev.cinderoperator.api.VersionPin;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What Cinder itself derives from its services table, as pure functions: whether a service is up,
 * the version pins, which rows stop new services from starting, and which rows are stale.
 */
public final class ServicesTable {
  /** Cinder's defaults ({@code cinder/common/config.py}, {@code cinder/service.py}). */
  public static final int DEFAULT_SERVICE_DOWN_TIME = 60;

  public static final int DEFAULT_REPORT_INTERVAL = 10;

  /** Stable order: binaries in upgrade order (scheduler, volume, backup), then host, then id. */
  public static final Comparator<ServiceRow> ORDER =
      Comparator.comparing((ServiceRow r) -> binaryRank(r.binary()))
          .thenComparing(ServiceRow::binary, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(ServiceRow::host, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparingLong(ServiceRow::id);

  private ServicesTable() {}

  /**
   * Whether Cinder counts the service as up: its last heartbeat ({@code updated_at}, else {@code
   * created_at}) is no older than {@code serviceDownTime} by the database's clock.
   */
  public static boolean isUp(ServiceRow row, Instant databaseNow, Duration serviceDownTime) {
    Instant seen = row.lastSeen();
    return seen != null && !seen.isBefore(databaseNow.minus(serviceDownTime));
  }

  /**
   * The pins Cinder computes: per binary, the minimum RPC and the minimum object version over every
   * non-deleted row, down and disabled ones included. Rows without a usable version are left out
   * here (see {@link #versionlessRows}); a binary whose rows all lack one has no pin.
   */
  public static List<VersionPin> minimumVersions(List<ServiceRow> rows) {
    Map<String, String[]> minimum = new LinkedHashMap<>();
    rows.stream()
        .sorted(ORDER)
        .forEach(
            row -> {
              String[] pin = minimum.computeIfAbsent(row.binary(), b -> new String[2]);
              pin[0] = lower(pin[0], row.rpcVersion());
              pin[1] = lower(pin[1], row.objectVersion());
            });
    List<VersionPin> pins = new ArrayList<>();
    minimum.forEach(
        (binary, pin) -> {
          if (pin[0] != null || pin[1] != null) {
            pins.add(new VersionPin(binary, pin[0], pin[1]));
          }
        });
    return List.copyOf(pins);
  }

  private static String lower(String current, String candidate) {
    if (!DottedVersion.isValid(candidate)) {
      return current;
    }
    if (current == null || DottedVersion.compare(candidate, current) < 0) {
      return candidate;
    }
    return current;
  }

  /**
   * Rows whose RPC or object version is NULL or not a version at all; Cinder cannot pin on them.
   */
  public static List<ServiceRow> versionlessRows(List<ServiceRow> rows) {
    return rows.stream()
        .filter(
            r ->
                !DottedVersion.isValid(r.rpcVersion()) || !DottedVersion.isValid(r.objectVersion()))
        .sorted(ORDER)
        .toList();
  }

  /**
   * Rows that would make a service of {@code targetRelease} fail to start: a NULL (or unreadable)
   * version raises {@code ServiceTooOld}, an object version the target's code does not know raises
   * {@code CappedVersionUnknown}.
   *
   * @param knownObjectVersions the target code's object-version history (the version probe's, or
   *     {@link ReleaseCatalog#knownObjectVersions})
   */
  public static List<BlockingRow> blockingRows(
      List<ServiceRow> rows, String targetRelease, Set<String> knownObjectVersions) {
    List<BlockingRow> blocking = new ArrayList<>();
    for (ServiceRow row : rows.stream().sorted(ORDER).toList()) {
      if (!DottedVersion.isValid(row.rpcVersion()) || !DottedVersion.isValid(row.objectVersion())) {
        blocking.add(
            new BlockingRow(
                row,
                BlockingRow.Reason.SERVICE_TOO_OLD,
                describe(row)
                    + " has rpc version "
                    + row.rpcVersion()
                    + " and object version "
                    + row.objectVersion()
                    + "; Cinder raises ServiceTooOld on start while it exists. Remove it: "
                    + "cinder-manage service remove "
                    + row.binary()
                    + " "
                    + row.host()));
      } else if (!knownObjectVersions.contains(row.objectVersion())) {
        blocking.add(
            new BlockingRow(
                row,
                BlockingRow.Reason.CAPPED_VERSION_UNKNOWN,
                describe(row)
                    + " reports object version "
                    + row.objectVersion()
                    + ", which "
                    + targetRelease
                    + " does not know; its services raise CappedVersionUnknown on start. "
                    + "Upgrade or remove that service first"));
      }
    }
    return List.copyOf(blocking);
  }

  /**
   * Rows of this CinderCluster's services ({@code owned}) whose host no live pod owns and that are
   * down: left behind by a scaled-down StatefulSet or a removed backend, they still pin versions.
   */
  public static List<ServiceRow> staleRows(
      List<ServiceRow> rows,
      Predicate<ServiceRow> owned,
      Set<String> liveHosts,
      Instant databaseNow,
      Duration serviceDownTime) {
    return rows.stream()
        .filter(owned)
        .filter(r -> !liveHosts.contains(r.host()))
        .filter(r -> !isUp(r, databaseNow, serviceDownTime))
        .sorted(ORDER)
        .toList();
  }

  /**
   * Rows not named like this CinderCluster's services: another deployment's services sharing the
   * database. They pin versions too, so an upgrade blocks on them rather than delete them.
   */
  public static List<ServiceRow> foreignRows(List<ServiceRow> rows, Predicate<ServiceRow> owned) {
    return rows.stream().filter(owned.negate()).sorted(ORDER).toList();
  }

  /**
   * {@code [DEFAULT] service_down_time} of the rendered cinder.conf (default 60 s), with the rule
   * every Cinder service applies at start: when it is not above a non-zero {@code report_interval}
   * it becomes {@code int(report_interval * 2.5)}.
   *
   * @throws IllegalArgumentException when either option is not a whole number of seconds
   */
  public static Duration serviceDownTime(Map<String, Map<String, String>> config) {
    Map<String, String> defaults = config == null ? null : config.get("DEFAULT");
    int downTime = seconds(defaults, "service_down_time", DEFAULT_SERVICE_DOWN_TIME);
    int reportInterval = seconds(defaults, "report_interval", DEFAULT_REPORT_INTERVAL);
    if (reportInterval > 0 && downTime <= reportInterval) {
      downTime = (int) (reportInterval * 2.5);
    }
    return Duration.ofSeconds(downTime);
  }

  /**
   * {@code [DEFAULT] report_interval} of the rendered cinder.conf (default 10 s): how often a
   * working service heartbeats; 0 turns heartbeats off.
   *
   * @throws IllegalArgumentException when it is not a whole number of seconds
   */
  public static Duration reportInterval(Map<String, Map<String, String>> config) {
    Map<String, String> defaults = config == null ? null : config.get("DEFAULT");
    return Duration.ofSeconds(seconds(defaults, "report_interval", DEFAULT_REPORT_INTERVAL));
  }

  private static int seconds(Map<String, String> section, String option, int fallback) {
    String value = section == null ? null : section.get(option);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "spec.config.DEFAULT."
              + option
              + " is '"
              + value
              + "'; it must be a whole number of seconds (0 or more)");
    }
  }

  /** The mirror of the table for {@code status.services}, in {@link #ORDER}; no secrets in it. */
  public static List<ServiceStatus> toStatus(
      List<ServiceRow> rows,
      Predicate<ServiceRow> owned,
      Set<String> liveHosts,
      Instant databaseNow,
      Duration serviceDownTime) {
    Set<ServiceRow> stale =
        Set.copyOf(staleRows(rows, owned, liveHosts, databaseNow, serviceDownTime));
    return rows.stream()
        .sorted(ORDER)
        .map(
            r ->
                new ServiceStatus(
                    r.binary(),
                    r.host(),
                    r.clusterName(),
                    r.rpcVersion(),
                    r.objectVersion(),
                    isUp(r, databaseNow, serviceDownTime),
                    r.disabled(),
                    stale.contains(r)))
        .toList();
  }

  private static int binaryRank(String binary) {
    return CinderBinary.fromBinaryName(binary).map(Enum::ordinal).orElse(Integer.MAX_VALUE);
  }

  private static String describe(ServiceRow row) {
    return "services row " + row.id() + " (" + row.binary() + " on " + row.host() + ")";
  }
}
