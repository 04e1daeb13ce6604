package dev.cinderoperator.traffic;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cinderoperator.traffic.TrafficClient.Outcome;
import dev.cinderoperator.traffic.TrafficClient.Phase;
import dev.cinderoperator.traffic.TrafficClient.Request;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the traffic client counted: requests and failed requests, resources that ended in error or
 * got stuck, and latency percentiles, for the whole run and per phase (before, during, after the
 * upgrade).
 *
 * @param failures every failed request and resource, as text (empty when none)
 * @param outages what the test took away on purpose, and the failures inside each window
 * @param failuresOutsideOutages failed requests and resources outside every outage window
 */
public record TrafficReport(
    int requests,
    int failedRequests,
    int resourcesInError,
    int resourcesStuck,
    Map<String, PhaseFigures> phases,
    Map<String, Integer> requestsByOperation,
    Map<String, Integer> resourcesReached,
    List<String> failures,
    Map<String, Object> settings,
    double seconds,
    Double upgradeStartedAtSeconds,
    Double upgradeFinishedAtSeconds,
    List<OutageFigures> outages,
    int failuresOutsideOutages) {

  /** Requests of one phase and their latency. */
  public record PhaseFigures(int requests, int failed, double p50Millis, double p99Millis) {}

  /**
   * One outage window (from the stop to the restart plus the reconnect allowance, in seconds after
   * the client started) and what failed in it: requests sent, and resources whose user's life
   * overlapped it.
   */
  public record OutageFigures(
      String what, double fromSeconds, Double toSeconds, int failedRequests, int resourcesFailed) {}

  static TrafficReport of(
      List<Request> requests,
      List<Outcome> outcomes,
      List<TrafficClient.Outage> outages,
      TrafficClient.Settings settings,
      List<String> backends,
      double seconds,
      Double upgradeStarted,
      Double upgradeFinished) {
    Map<String, PhaseFigures> phases = new LinkedHashMap<>();
    for (Phase p : Phase.values()) {
      List<Long> nanos = new ArrayList<>();
      int failed = 0;
      for (Request r : requests) {
        if (r.phase() == p) {
          nanos.add(r.nanos());
          failed += r.failure() == null ? 0 : 1;
        }
      }
      nanos.sort(null);
      phases.put(
          p.name().toLowerCase(Locale.ROOT),
          new PhaseFigures(nanos.size(), failed, percentile(nanos, 50), percentile(nanos, 99)));
    }
    Map<String, Integer> byOperation = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    int failed = 0;
    int[] outageRequests = new int[outages.size()];
    int[] outageResources = new int[outages.size()];
    int outside = 0;
    for (Request r : requests) {
      byOperation.merge(r.operation(), 1, Integer::sum);
      if (r.failure() != null) {
        failed++;
        failures.add(at(r.sentNanos()) + r.phase() + " " + r.operation() + ": " + r.failure());
        outside += count(outages, r.fromNanos(), r.sentNanos() + r.nanos(), outageRequests) ? 0 : 1;
      }
    }
    int inError = 0;
    int stuck = 0;
    Map<String, Integer> reached = new TreeMap<>();
    for (Outcome o : outcomes) {
      String what = at(o.toNanos()) + o.phase() + " " + o.kind() + " " + o.id();
      switch (o.end()) {
        case "error" -> {
          inError++;
          failures.add(what + " ended in " + o.detail());
        }
        case "stuck" -> {
          stuck++;
          failures.add(what + " stuck: " + o.detail());
        }
        default -> {
          reached.merge(o.kind(), 1, Integer::sum);
          continue;
        }
      }
      outside += count(outages, o.fromNanos(), o.toNanos(), outageResources) ? 0 : 1;
    }
    List<OutageFigures> windows = new ArrayList<>();
    for (int i = 0; i < outages.size(); i++) {
      TrafficClient.Outage o = outages.get(i);
      windows.add(
          new OutageFigures(
              o.what(),
              o.fromNanos() / 1e9,
              o.toNanos() == Long.MAX_VALUE ? null : o.toNanos() / 1e9,
              outageRequests[i],
              outageResources[i]));
    }
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("intervalSeconds", settings.interval().toMillis() / 1000.0);
    s.put("maxDurationSeconds", settings.maxDuration().toSeconds());
    s.put("pollIntervalSeconds", settings.pollInterval().toMillis() / 1000.0);
    s.put("resourceTimeoutSeconds", settings.resourceTimeout().toSeconds());
    s.put("requestTimeoutSeconds", settings.requestTimeout().toSeconds());
    s.put("backups", settings.backups());
    s.put("project", settings.project());
    s.put("backends", backends);
    return new TrafficReport(
        requests.size(),
        failed,
        inError,
        stuck,
        phases,
        byOperation,
        reached,
        failures,
        s,
        seconds,
        upgradeStarted,
        upgradeFinished,
        windows,
        outside);
  }

  /** Counts a failure in every outage window it overlaps; false when it overlaps none. */
  private static boolean count(
      List<TrafficClient.Outage> outages, long fromNanos, long toNanos, int[] counts) {
    boolean inside = false;
    for (int i = 0; i < outages.size(); i++) {
      if (outages.get(i).covers(fromNanos, toNanos)) {
        counts[i]++;
        inside = true;
      }
    }
    return inside;
  }

  private static String at(long nanos) {
    return String.format(Locale.ROOT, "at %.1f s: ", nanos / 1e9);
  }

  private static double percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return Math.round(sorted.get(Math.max(0, rank - 1)) / 1e4) / 100.0;
  }

  /** One line per phase, for logs. */
  public String summary() {
    StringBuilder b =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%d requests, %d failed, %d resources in error, %d stuck over %.0f s",
                requests,
                failedRequests,
                resourcesInError,
                resourcesStuck,
                seconds));
    phases.forEach(
        (name, f) ->
            b.append(
                String.format(
                    Locale.ROOT,
                    "%n  %-6s %4d requests, %d failed, p50 %.0f ms, p99 %.0f ms",
                    name,
                    f.requests(),
                    f.failed(),
                    f.p50Millis(),
                    f.p99Millis())));
    outages.forEach(
        o ->
            b.append(
                String.format(
                    Locale.ROOT,
                    "%n  outage of %s from %.1f s to %s: %d requests and %d resources failed",
                    o.what(),
                    o.fromSeconds(),
                    o.toSeconds() == null
                        ? "(not ended)"
                        : String.format(Locale.ROOT, "%.1f s", o.toSeconds()),
                    o.failedRequests(),
                    o.resourcesFailed())));
    if (!outages.isEmpty()) {
      b.append(
          String.format(Locale.ROOT, "%n  outside the outages: %d failed", failuresOutsideOutages));
    }
    return b.toString();
  }

  /** Writes this report, with {@code extra} entries (e.g. what ran), as JSON. */
  public void write(Path file, Map<String, Object> extra) {
    Map<String, Object> json = new LinkedHashMap<>(extra);
    json.put("traffic", this);
    try {
      Files.createDirectories(file.getParent());
      CinderApi.JSON
          .copy()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(file.toFile(), json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
