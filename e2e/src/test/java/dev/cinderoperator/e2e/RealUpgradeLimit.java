package dev.cinderoperator.e2e;

import dev.cinderoperator.realcinder.RealCinderRuntime;
import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import dev.cinderoperator.workload.Component;
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
 * backup pod: its old process's stop (the pod's deletion to the container's exit) and its new
 * process's start to its first heartbeat (the gate's proof that the service works). Each new API
 * pod: its start to Ready. The operator rolls the volume backends side by side (one pod down per
 * backend), so their parts add up per backend and the slowest backend counts; everything else is
 * one after the other. No operator could be faster without taking two pods of one backend or
 * component down at once, which the one-at-a-time rule forbids; what remains is the operator's own
 * time (polls, reconciles, the API server) and the simulated kubelet's.
 *
 * @param parts every serial part's seconds, by what it was (a pod or job name and what it did)
 * @param volumeBackends each volume backend's parts
 * @param unmeasured parts that could not be measured (a process that never exited, a service that
 *     never heartbeated)
 */
record RealUpgradeLimit(
    Map<String, Double> parts,
    Map<String, Map<String, Double>> volumeBackends,
    List<String> unmeasured) {
  private static final Set<String> SERVICES =
      Set.of(Component.SCHEDULER.label(), Component.VOLUME.label(), Component.BACKUP.label());

  static RealUpgradeLimit of(
      List<RealCinderRuntime.Run> runs,
      List<PodEvent> events,
      ContainerExits exits,
      HeartbeatLog beats,
      Instant from,
      Instant to) {
    Map<String, Double> serial = new LinkedHashMap<>();
    Map<String, Map<String, Double>> backends = new LinkedHashMap<>();
    List<String> unmeasured = new ArrayList<>();
    for (RealCinderRuntime.Run r : runs) {
      Map<String, Double> parts =
          Component.VOLUME.label().equals(r.component())
              ? backends.computeIfAbsent(backendOf(r), b -> new LinkedHashMap<>())
              : serial;
      Instant started = r.startedAt();
      Optional<Instant> exited = exits.exitOf(r);
      boolean startedInside = !started.isBefore(from) && !started.isAfter(to);
      if (SERVICES.contains(r.component())) {
        // the old process: from its pod's deletion, inside the upgrade, to its exit
        deletion(events, r)
            .filter(d -> !d.isBefore(from) && !d.isAfter(to))
            .ifPresent(
                d ->
                    exited.ifPresentOrElse(
                        e -> parts.put(r.pod() + " (old) stopped", seconds(d, e)),
                        () -> unmeasured.add(r.pod() + " (old) never exited")));
        if (startedInside) {
          String host = hostOf(r);
          beats
              .firstAfter(host, started)
              .ifPresentOrElse(
                  b -> parts.put(r.pod() + " started to first heartbeat", seconds(started, b)),
                  () -> unmeasured.add(host + " never heartbeated"));
        }
      } else if (Component.API.label().equals(r.component())) {
        if (startedInside) {
          ready(events, r)
              .ifPresentOrElse(
                  t -> parts.put(r.pod() + " started to Ready", seconds(started, t)),
                  () -> unmeasured.add(r.pod() + " never Ready"));
        }
      } else if (startedInside) {
        exited.ifPresentOrElse(
            e -> parts.put(r.pod() + " ran", seconds(started, e)),
            () -> unmeasured.add(r.pod() + " never exited"));
      }
    }
    return new RealUpgradeLimit(serial, backends, unmeasured);
  }

  double seconds() {
    return sum(parts)
        + volumeBackends.values().stream().mapToDouble(RealUpgradeLimit::sum).max().orElse(0);
  }

  private static double sum(Map<String, Double> parts) {
    return parts.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  private static Optional<Instant> deletion(List<PodEvent> events, RealCinderRuntime.Run r) {
    return first(events, r, PodEvent.Kind.DELETED);
  }

  private static Optional<Instant> ready(List<PodEvent> events, RealCinderRuntime.Run r) {
    return first(events, r, PodEvent.Kind.READY);
  }

  private static Optional<Instant> first(
      List<PodEvent> events, RealCinderRuntime.Run r, PodEvent.Kind kind) {
    return events.stream()
        .filter(e -> e.uid().equals(r.uid()) && e.kind() == kind)
        .map(PodEvent::at)
        .findFirst();
  }

  /** The services row's host: the pod's name, with {@code @backend} for a volume pod. */
  private static String hostOf(RealCinderRuntime.Run r) {
    return Component.VOLUME.label().equals(r.component()) ? r.pod() + "@" + backendOf(r) : r.pod();
  }

  /** cinder-volume-<backend>-<ordinal>: the backend is between the prefix and the ordinal. */
  private static String backendOf(RealCinderRuntime.Run r) {
    String rest = r.pod().substring("cinder-volume-".length());
    return rest.substring(0, rest.lastIndexOf('-'));
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }
}
