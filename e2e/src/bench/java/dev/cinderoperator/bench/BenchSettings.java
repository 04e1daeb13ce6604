package dev.cinderoperator.bench;

import dev.cinderoperator.kube.OperatorSettings;
import dev.cinderoperator.sim.SimConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The benchmarks' knobs, read from system properties ({@code -Dbench.podStartMs=2000}) so a run can
 * use other delays without a rebuild. Defaults are Kubernetes and Cinder timings divided by about
 * ten, so a run takes minutes, not an hour.
 */
record BenchSettings(
    Duration terminationGrace,
    Duration podStart,
    Duration readiness,
    Duration reportInterval,
    Duration jobRunTime,
    Duration resync,
    Duration pollInterval,
    Duration idlePollInterval,
    List<Integer> scaleCounts,
    int scaleBackends,
    List<String> upgradeShapes,
    Duration steadyWindow,
    Duration scaleTimeout,
    Path outputDir) {

  static BenchSettings fromSystemProperties() {
    return new BenchSettings(
        millis("bench.terminationMs", 1000),
        millis("bench.podStartMs", 1000),
        millis("bench.readinessMs", 1000),
        millis("bench.reportIntervalMs", 1000),
        millis("bench.jobMs", 2000),
        millis("bench.resyncMs", 200),
        millis("bench.pollMs", 500),
        millis("bench.idlePollMs", 5000),
        Arrays.stream(System.getProperty("bench.scale.counts", "1,10,100").split(","))
            .map(String::trim)
            .map(Integer::parseInt)
            .toList(),
        Integer.getInteger("bench.scale.backends", 20),
        Arrays.stream(System.getProperty("bench.upgrade.shapes", "small,large").split(","))
            .map(String::trim)
            .toList(),
        Duration.ofSeconds(Integer.getInteger("bench.windowSeconds", 30)),
        Duration.ofSeconds(Integer.getInteger("bench.scale.timeoutSeconds", 1200)),
        Path.of(System.getProperty("bench.outputDir", "target/bench")));
  }

  SimConfig simConfig() {
    return new SimConfig(
        null,
        "sim-node",
        resync,
        podStart,
        readiness,
        terminationGrace,
        jobRunTime,
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        reportInterval,
        java.time.Clock.systemUTC(),
        1L);
  }

  OperatorSettings operatorSettings() {
    return OperatorSettings.defaults().withPollIntervals(pollInterval, idlePollInterval);
  }

  /** The cluster with the settings its cinder.conf must carry (report_interval). */
  dev.cinderoperator.api.CinderCluster configured(dev.cinderoperator.api.CinderCluster cc) {
    return BenchClusters.withReportInterval(cc, reportInterval);
  }

  /** The delays as a table row and JSON object. */
  java.util.Map<String, Object> describe() {
    var m = new java.util.LinkedHashMap<String, Object>();
    m.put("terminationGraceMs", terminationGrace.toMillis());
    m.put("podStartMs", podStart.toMillis());
    m.put("readinessMs", readiness.toMillis());
    m.put("reportIntervalMs", reportInterval.toMillis());
    m.put("jobRunMs", jobRunTime.toMillis());
    m.put("simResyncMs", resync.toMillis());
    m.put("operatorPollMs", pollInterval.toMillis());
    m.put("operatorIdlePollMs", idlePollInterval.toMillis());
    return m;
  }

  private static Duration millis(String property, long fallback) {
    return Duration.ofMillis(Long.getLong(property, fallback));
  }
}
