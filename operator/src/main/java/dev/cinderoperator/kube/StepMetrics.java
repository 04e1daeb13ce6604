package dev.cinderoperator.kube;

import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The upgrade's metrics as status changes: the step gauge, each finished step's duration (timed
 * from when this operator saw it start), the volume backends' measured gaps and the database
 * circuits.
 */
final class StepMetrics {
  private final OperatorMetrics metrics;
  private final Clock clock;
  private final Map<String, Instant> stepStarted = new ConcurrentHashMap<>();

  StepMetrics(OperatorMetrics metrics, Clock clock) {
    this.metrics = metrics;
    this.clock = clock;
  }

  /** What the metrics compare with: the upgrade status as stored, read before it changes. */
  record Before(UpgradeStep step, Double gap, String gapHost) {
    static Before of(UpgradeStatus u) {
      return u == null
          ? new Before(null, null, null)
          : new Before(u.getStep(), u.getLastVolumeGapSeconds(), u.getVolumeGapHost());
    }
  }

  /** After a decision, with the upgrade status as decided. */
  void record(String ns, String name, Before before, UpgradeStatus after) {
    UpgradeStep was = before.step();
    UpgradeStep now = after == null ? null : after.getStep();
    metrics.upgradeStep(ns, name, now);
    if (now != null && now != was) {
      Instant t = Instant.now(clock);
      Instant started = stepStarted.put(ns + "/" + name, t);
      if (was != null && started != null) {
        metrics.stepCompleted(ns, name, was, Duration.between(started, t));
      }
    }
    Double gap = after == null ? null : after.getLastVolumeGapSeconds();
    if (gap != null && !gap.equals(before.gap())) {
      String host = before.gapHost();
      String backend =
          host != null && host.contains("@") ? host.substring(host.indexOf('@') + 1) : "";
      metrics.volumeServiceGap(ns, name, backend, gap);
    }
  }

  /** Circuit state per {@code namespace/name}: 0 closed, 1 open, 2 half-open. */
  void circuits(Map<String, Integer> states) {
    states.forEach(
        (key, state) -> {
          int slash = key.indexOf('/');
          metrics.databaseCircuit(key.substring(0, slash), key.substring(slash + 1), state);
        });
  }

  void release(String key) {
    stepStarted.remove(key);
  }

  int heldFor(String key) {
    return stepStarted.containsKey(key) ? 1 : 0;
  }
}
