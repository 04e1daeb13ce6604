package dev.cinderoperator.e2e;

import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Labels;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The physical limit of a real upgrade: what Cinder's own processes needed, one after the other,
 * measured on the run itself. Each job: its container's run. Each replaced scheduler, volume and
 * backup pod: its old process's stop (deletion to gone) and its new process's start to its first
 * heartbeat (the gate's proof that the service works). Each new API pod: its start to Ready. No
 * operator could be faster without running two of these at once, which the one-at-a-time rule
 * forbids; the operator's own time (polls, reconciles, the API server) is what remains.
 *
 * @param parts every part's seconds, by what it was (a pod or job name and what it did)
 */
record RealUpgradeLimit(Map<String, Double> parts, List<String> unmeasured) {
  private static final Set<String> SERVICES =
      Set.of(Component.SCHEDULER.label(), Component.VOLUME.label(), Component.BACKUP.label());
  private static final Set<String> JOBS =
      Set.of(
          Component.DB_SYNC.label(),
          Component.VERSION_PROBE.label(),
          Component.UPGRADE_CHECK.label(),
          Component.DATA_MIGRATION.label());

  static RealUpgradeLimit of(List<PodEvent> events, HeartbeatLog beats, Instant from, Instant to) {
    Map<String, Double> parts = new LinkedHashMap<>();
    List<String> unmeasured = new ArrayList<>();
    for (PodEvent e : events) {
      if (e.at().isBefore(from) || e.at().isAfter(to)) {
        continue;
      }
      String component = e.labels().get(Labels.COMPONENT);
      if (JOBS.contains(component) && e.kind() == PodEvent.Kind.RUNNING) {
        end(events, e, Set.of(PodEvent.Kind.SUCCEEDED, PodEvent.Kind.FAILED))
            .ifPresentOrElse(
                end -> parts.put(e.pod() + " ran", seconds(e.at(), end)),
                () -> unmeasured.add(e.pod() + " never ended"));
      } else if (SERVICES.contains(component) && e.kind() == PodEvent.Kind.DELETED) {
        end(events, e, Set.of(PodEvent.Kind.GONE))
            .ifPresentOrElse(
                gone -> parts.put(e.pod() + " (old) stopped", seconds(e.at(), gone)),
                () -> unmeasured.add(e.pod() + " (old) never gone"));
      } else if (SERVICES.contains(component) && e.kind() == PodEvent.Kind.RUNNING) {
        String host = hostOf(e);
        beats
            .firstAfter(host, e.at())
            .ifPresentOrElse(
                beat -> parts.put(e.pod() + " started to first heartbeat", seconds(e.at(), beat)),
                () -> unmeasured.add(host + " never heartbeated"));
      } else if (Component.API.label().equals(component) && e.kind() == PodEvent.Kind.RUNNING) {
        end(events, e, Set.of(PodEvent.Kind.READY))
            .ifPresentOrElse(
                ready -> parts.put(e.pod() + " started to Ready", seconds(e.at(), ready)),
                () -> unmeasured.add(e.pod() + " never Ready"));
      }
    }
    return new RealUpgradeLimit(parts, unmeasured);
  }

  double seconds() {
    return parts.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /** The first event of one of {@code kinds} of the same pod (its uid) after {@code e}. */
  private static Optional<Instant> end(
      List<PodEvent> events, PodEvent e, Set<PodEvent.Kind> kinds) {
    return events.stream()
        .filter(
            o -> o.uid().equals(e.uid()) && kinds.contains(o.kind()) && !o.at().isBefore(e.at()))
        .map(PodEvent::at)
        .findFirst();
  }

  /** The services row's host: the pod's name, with {@code @backend} for a volume pod. */
  private static String hostOf(PodEvent e) {
    String backend = e.labels().get(Labels.BACKEND);
    return backend == null ? e.pod() : e.pod() + "@" + backend;
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }
}
