package dev.cinderoperator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The bench profile's last run (failsafe, after every {@code *Bench}): one line per result file in
 * the output directory, with its figure, its target and whether it holds, so a reader sees at once
 * what holds. Prints only; a missed target does not fail the build (machines are shared and noisy).
 * Files are dated: one left from an earlier run says so.
 */
// only under -Pbench: surefire excludes the tag, so `-Dtest=!X` cannot pick it up
@Tag("bench")
class BenchSummary {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());

  /** Target ratio of the operator's upgrade time to the physical limit (issue 16). */
  static final double UPGRADE_RATIO_TARGET = 1.03;

  @Test
  void printsOneLinePerResultFile() {
    Path dir = BenchSettings.fromSystemProperties().outputDir();
    List<String> lines = summarize(dir);
    System.out.println();
    System.out.println("== Benchmark summary (" + dir.toAbsolutePath() + ")");
    lines.forEach(System.out::println);
  }

  static List<String> summarize(Path dir) {
    List<String> lines = new ArrayList<>();
    line(lines, dir, "upgrade.json", BenchSummary::upgrade);
    line(lines, dir, "gap.json", BenchSummary::gap);
    line(lines, dir, "db.json", BenchSummary::db);
    line(lines, dir, "scale.json", BenchSummary::scale);
    line(lines, dir, "outages.json", BenchSummary::outages);
    line(lines, dir, "real-upgrade.json", BenchSummary::realUpgrade);
    return lines;
  }

  private static void line(
      List<String> lines, Path dir, String file, Function<JsonNode, String> describe) {
    Path p = dir.resolve(file);
    if (!Files.isRegularFile(p)) {
      lines.add(String.format(Locale.ROOT, "%-18s not written by this run", file));
      return;
    }
    String text;
    try {
      text = describe.apply(JSON.readTree(p.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      text = "unreadable: " + e;
    }
    lines.add(String.format(Locale.ROOT, "%-18s %s  [%s]", file, text, written(p)));
  }

  private static String written(Path p) {
    try {
      return "written "
          + WHEN.format(Instant.ofEpochMilli(Files.getLastModifiedTime(p).toMillis()));
    } catch (IOException e) {
      return "?";
    }
  }

  static String verdict(boolean holds) {
    return holds ? "HOLDS" : "MISSED";
  }

  static String upgrade(JsonNode n) {
    StringBuilder b = new StringBuilder();
    boolean holds = true;
    for (String shape : List.of("small", "large")) {
      JsonNode s = n.get(shape);
      if (s == null) {
        continue;
      }
      double ratio = s.get("ratio").asDouble();
      holds &= ratio <= UPGRADE_RATIO_TARGET && s.path("operatorViolations").asInt() == 0;
      b.append(
          String.format(
              Locale.ROOT,
              "%s %s: ratio %.2f (%.1f s, limit %.1f s, %d violations); ",
              shape,
              s.get("shape").asText(),
              ratio,
              s.get("operatorSeconds").asDouble(),
              s.get("limitSeconds").asDouble(),
              s.path("operatorViolations").asInt()));
    }
    // Shown, not judged: the small warm-up's upgrade, the first in its JVM (OperatorWarmUp).
    JsonNode first = n.path("small").path("warmUp");
    if (first.path("firstInJvm").asBoolean()) {
      b.append(
          String.format(
              Locale.ROOT,
              "first upgrade in a fresh JVM 1/1/1/1: ratio %.2f (%.1f s); ",
              first.get("ratio").asDouble(),
              first.get("operatorSeconds").asDouble()));
    }
    return b
        + String.format(
            Locale.ROOT,
            "target ratio <= %.2f, 0 violations: %s",
            UPGRADE_RATIO_TARGET,
            verdict(holds));
  }

  static String gap(JsonNode n) {
    double max = n.get("maxGapSeconds").asDouble();
    double target = n.get("targetSeconds").asDouble();
    return String.format(
        Locale.ROOT,
        "max volume service gap %.2f s over %d backends (service_down_time %.0f s); target <= %.2f"
            + " s (pod start + report interval): %s",
        max,
        n.get("backends").asInt(),
        n.get("serviceDownTimeSeconds").asDouble(),
        target,
        verdict(max <= target));
  }

  static String db(JsonNode n) {
    double perPoll = n.get("idleReadsPerIdlePoll").asDouble();
    return String.format(
        Locale.ROOT,
        "idle: %.2f services-table reads per idle poll per cluster (%.2f statements/s), upgrading"
            + " %.2f statements/s per cluster; target idle <= 1 read per idle poll: %s",
        perPoll,
        n.get("idleQueriesPerSecondPerCluster").asDouble(),
        n.get("upgradeQueriesPerSecondPerCluster").asDouble(),
        verdict(perPoll <= 1.0));
  }

  static String scale(JsonNode n) {
    JsonNode last = null;
    for (JsonNode r : n) {
      if (last == null || r.get("clusters").asInt() >= last.get("clusters").asInt()) {
        last = r;
      }
    }
    if (last == null) {
      return "no cluster count measured";
    }
    int clusters = last.get("clusters").asInt();
    JsonNode u = last.get("upgrade");
    if (u == null) {
      return String.format(
          Locale.ROOT,
          "%d clusters: only %d Ready, no upgrade measured; target %d/%d upgraded, 0 violations:"
              + " MISSED",
          clusters,
          last.path("readyClusters").asInt(),
          clusters,
          clusters);
    }
    int completed = u.get("completed").asInt();
    int violations = u.get("violations").asInt();
    return String.format(
        Locale.ROOT,
        "%d clusters upgrading at once: %d/%d completed%s, %d violations, reconcile p99 %.1f ms,"
            + " operator heap %s MiB; target %d/%d, 0 violations: %s",
        clusters,
        completed,
        clusters,
        u.get("seconds").isNull()
            ? " (window " + last.path("windowSeconds").asText("?") + " s)"
            : String.format(Locale.ROOT, " in %.1f s", u.get("seconds").asDouble()),
        violations,
        u.get("reconcileP99Ms").asDouble(),
        u.path("operatorHeapMiB").asText("?"),
        clusters,
        clusters,
        verdict(completed == clusters && violations == 0));
  }

  /** Failures inside and outside the windows of the real tier's MariaDB and RabbitMQ restarts. */
  static String outages(JsonNode n) {
    JsonNode t = n.get("traffic");
    StringBuilder b = new StringBuilder();
    for (JsonNode o : t.path("outages")) {
      b.append(
          String.format(
              Locale.ROOT,
              "%s down (window %.0f s): %d requests and %d resources failed; ",
              o.get("what").asText(),
              o.path("toSeconds").asDouble() - o.get("fromSeconds").asDouble(),
              o.get("failedRequests").asInt(),
              o.get("resourcesFailed").asInt()));
    }
    int outside = t.get("failuresOutsideOutages").asInt();
    return b
        + String.format(
            Locale.ROOT, "outside the windows %d; target 0: %s", outside, verdict(outside == 0));
  }

  static String realUpgrade(JsonNode n) {
    String time =
        n.has("upgradeSeconds")
            ? String.format(
                Locale.ROOT,
                "upgrade %.0f s against a limit of %.0f s (ratio %.2f); ",
                n.get("upgradeSeconds").asDouble(),
                n.path("limitSeconds").asDouble(),
                n.path("ratio").asDouble())
            : "";
    return time + trafficFigures(n.get("traffic"));
  }

  /** Requests and failures, p99 before and during; target 0 failed, p99 during <= 2x before. */
  static String trafficFigures(JsonNode t) {
    int failed = t.get("failedRequests").asInt();
    int inError = t.path("resourcesInError").asInt();
    double before = t.path("phases").path("before").path("p99Millis").asDouble();
    double during = t.path("phases").path("during").path("p99Millis").asDouble();
    boolean holds = failed == 0 && inError == 0 && before > 0 && during <= 2 * before;
    return String.format(
        Locale.ROOT,
        "%d requests, %d failed, %d resources in error, p99 before %.0f ms, during %.0f ms;"
            + " target 0 failed, p99 during <= 2x before: %s",
        t.get("requests").asInt(),
        failed,
        inError,
        before,
        during,
        verdict(holds));
  }
}
