package dev.cinderoperator.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time spent by each part of the benchmark's one JVM, from per-thread CPU clocks: the
 * operator's reconcile threads, the simulated controllers and kubelet, the mock API server's event
 * loop, and the rest (HTTP clients and informers of both sides, GC is not a Java thread and is not
 * counted). Threads that end between two snapshots lose what they used since the first.
 */
final class CpuByThread {
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> start = snapshot();

  private Map<Long, Long> snapshot() {
    Map<Long, Long> cpu = new HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      long t = threads.getThreadCpuTime(id);
      if (t >= 0) {
        cpu.put(id, t);
      }
    }
    return cpu;
  }

  /** Seconds of CPU per part since this object was made. */
  Map<String, Object> seconds() {
    Map<String, Double> parts = new LinkedHashMap<>();
    for (String p : new String[] {"operator", "simulator", "apiServer", "other"}) {
      parts.put(p, 0.0);
    }
    for (long id : threads.getAllThreadIds()) {
      ThreadInfo info = threads.getThreadInfo(id);
      long now = threads.getThreadCpuTime(id);
      if (info == null || now < 0) {
        continue;
      }
      double s = (now - start.getOrDefault(id, 0L)) / 1e9;
      parts.merge(part(info.getThreadName()), s, Double::sum);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    parts.forEach((k, v) -> out.put(k, BenchOutput.round2(v)));
    return out;
  }

  private static String part(String thread) {
    // JOSDK names its reconcile threads; an operator restarted in-process gets a plain pool
    if (thread.startsWith("ReconcilerExecutor") || thread.matches("pool-\\d+-thread-\\d+")) {
      return "operator";
    }
    if (thread.startsWith("sim-")) {
      return "simulator";
    }
    if (thread.startsWith("vert.x-eventloop")) {
      return "apiServer";
    }
    return "other";
  }
}
