package dev.cinderoperator.bench;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Times every reconcile JOSDK runs (the reconciler's own work, not the time queued before it). */
final class ReconcileTimer implements Metrics {
  private final ConcurrentLinkedQueue<Long> nanos = new ConcurrentLinkedQueue<>();

  @Override
  public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
    long start = System.nanoTime();
    try {
      return execution.execute();
    } finally {
      if ("reconcile".equals(execution.name())) {
        nanos.add(System.nanoTime() - start);
      }
    }
  }

  void clear() {
    nanos.clear();
  }

  /** Count, p50 and p99 in milliseconds of the reconciles since the last {@link #clear()}. */
  Latencies latencies() {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    return new Latencies(sorted.size(), percentile(sorted, 0.50), percentile(sorted, 0.99));
  }

  record Latencies(int count, double p50Ms, double p99Ms) {}

  private static double percentile(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.size()) - 1;
    return Math.round(sorted.get(Math.max(0, i)) / 10_000.0) / 100.0;
  }
}
