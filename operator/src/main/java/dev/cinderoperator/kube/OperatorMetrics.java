package dev.cinderoperator.kube;

import dev.cinderoperator.api.UpgradeStep;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The operator's own metrics, beside JOSDK's reconcile metrics. Names are documented in
 * docs/metrics.md.
 */
public class OperatorMetrics {
  private static final String STEPS_HELP = "Upgrade steps finished";
  private static final String PODS_HELP = "Cinder pods replaced by the roller";
  private static final String API_HELP =
      "Reconciles retried because the Kubernetes API failed, by reason";
  private static final String STALLS_HELP = "Times a CinderCluster became Stalled, by reason";

  private final MeterRegistry registry;
  private final Map<String, AtomicReference<Double>> gauges = new ConcurrentHashMap<>();

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** For tests and tools that do not export metrics. */
  public static OperatorMetrics discarding() {
    return new OperatorMetrics(new SimpleMeterRegistry());
  }

  /** Ordinal of the current upgrade step (Preflight 0 ... Complete 9), -1 when none. */
  public void upgradeStep(String namespace, String cluster, UpgradeStep step) {
    gauge("cinder_operator_upgrade_step", Tags.of("namespace", namespace, "cluster", cluster))
        .set(step == null ? -1.0 : step.ordinal());
  }

  public void stepCompleted(String namespace, String cluster, UpgradeStep step, Duration took) {
    count(
        "cinder_operator_upgrade_steps_completed",
        STEPS_HELP,
        namespace,
        cluster,
        "step",
        step.name());
    Timer.builder("cinder_operator_upgrade_step_duration")
        .description("Wall time of each upgrade step")
        .tags("step", step.name())
        .publishPercentileHistogram()
        .register(registry)
        .record(took);
  }

  public void podReplaced(String namespace, String cluster, String component) {
    count("cinder_operator_pods_replaced", PODS_HELP, namespace, cluster, "component", component);
  }

  /** A reconcile that waits for the Kubernetes API (429, 5xx, timeout, no connection). */
  public void apiUnavailable(String namespace, String cluster, String reason) {
    count("cinder_operator_api_unavailable", API_HELP, namespace, cluster, "reason", reason);
  }

  public void stalled(String namespace, String cluster, String reason) {
    count("cinder_operator_stalls", STALLS_HELP, namespace, cluster, "reason", reason);
  }

  /** 0 closed, 1 open, 2 half-open. */
  public void databaseCircuit(String namespace, String cluster, int state) {
    gauge(
            "cinder_operator_database_circuit_state",
            Tags.of("namespace", namespace, "cluster", cluster))
        .set((double) state);
  }

  /** The last measured gap of an active/passive volume backend (old heartbeat to new). */
  public void volumeServiceGap(String namespace, String cluster, String backend, double seconds) {
    gauge(
            "cinder_operator_volume_service_gap_seconds",
            Tags.of("namespace", namespace, "cluster", cluster, "backend", backend))
        .set(seconds);
  }

  /** Removes every meter of a deleted cluster. */
  public void release(String namespace, String cluster) {
    for (Meter m : List.copyOf(registry.getMeters())) {
      if (isOf(m, namespace, cluster)) {
        registry.remove(m);
      }
    }
    gauges
        .keySet()
        .removeIf(
            k ->
                k.contains("tag(namespace=" + namespace + ")")
                    && k.contains("tag(cluster=" + cluster + ")"));
  }

  /** How many meters the registry holds for a cluster. */
  public int heldFor(String namespace, String cluster) {
    return (int) registry.getMeters().stream().filter(m -> isOf(m, namespace, cluster)).count();
  }

  private static boolean isOf(Meter m, String namespace, String cluster) {
    return namespace.equals(m.getId().getTag("namespace"))
        && cluster.equals(m.getId().getTag("cluster"));
  }

  private void count(
      String name, String description, String namespace, String cluster, String key, String value) {
    Counter.builder(name)
        .description(description)
        .tags("namespace", namespace, "cluster", cluster, key, value)
        .register(registry)
        .increment();
  }

  private AtomicReference<Double> gauge(String name, Tags tags) {
    return gauges.computeIfAbsent(
        name + tags,
        k -> {
          AtomicReference<Double> value = new AtomicReference<>(0.0);
          Gauge.builder(name, value, AtomicReference::get).tags(tags).register(registry);
          return value;
        });
  }
}
