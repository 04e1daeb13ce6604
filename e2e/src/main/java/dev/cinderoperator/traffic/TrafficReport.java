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
    Double upgradeFinishedAtSeconds) {

  /** Requests of one phase and their latency. */
  public record PhaseFigures(int requests, int failed, double p50Millis, double p99Millis) {}

  static TrafficReport of(
      List<Request> requests,
      List<Outcome> outcomes,
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
    for (Request r : requests) {
      byOperation.merge(r.operation(), 1, Integer::sum);
      if (r.failure() != null) {
        failed++;
        failures.add(r.phase() + " " + r.operation() + ": " + r.failure());
      }
    }
    int inError = 0;
    int stuck = 0;
    Map<String, Integer> reached = new TreeMap<>();
    for (Outcome o : outcomes) {
      switch (o.end()) {
        case "error" -> {
          inError++;
          failures.add(o.phase() + " " + o.kind() + " " + o.id() + " ended in " + o.detail());
        }
        case "stuck" -> {
          stuck++;
          failures.add(o.phase() + " " + o.kind() + " " + o.id() + " stuck: " + o.detail());
        }
        default -> reached.merge(o.kind(), 1, Integer::sum);
      }
    }
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("intervalSeconds", settings.interval().toMillis() / 1000.0);
    s.put("maxDurationSeconds", settings.maxDuration().toSeconds());
    s.put("pollIntervalSeconds", settings.pollInterval().toMillis() / 1000.0);
    s.put("resourceTimeoutSeconds", settings.resourceTimeout().toSeconds());
    s.put("requestTimeoutSeconds", settings.requestTimeout().toSeconds());
    s.put("backups", settings.backups());
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
        upgradeFinished);
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
