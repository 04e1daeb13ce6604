package dev.cinderoperator.bench;

import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import dev.cinderoperator.sim.events.SimEvent.ServiceRowEvent;
import dev.cinderoperator.sim.events.SimEventLog;
import dev.cinderoperator.workload.Component;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where an upgrade's time went, from the simulator's record: each serial pod replacement and each
 * job cut into the segments {@link PhysicalLimit} counts (termination, start, the later of Ready
 * and the first heartbeat, a job's run) and the ones it does not (the StatefulSet's recreate, the
 * operator's reaction). Summed per segment, the excess over the configured delays says who to
 * blame: the simulator's hops, the kubelet's timers, or the operator.
 */
final class UpgradeTimeline {
  private static final Set<String> SERIAL =
      Set.of(Component.SCHEDULER.label(), Component.VOLUME.label(), Component.BACKUP.label());
  private static final Set<String> JOBS =
      Set.of(
          Component.DB_SYNC.label(),
          Component.VERSION_PROBE.label(),
          Component.UPGRADE_CHECK.label(),
          Component.DATA_MIGRATION.label());

  private final Map<String, List<Long>> segments = new LinkedHashMap<>();

  private UpgradeTimeline() {}

  /** The segments of every replacement and job of the cluster since {@code since}, in ms. */
  static Map<String, Object> of(SimEventLog rec, String cluster, Instant since) {
    UpgradeTimeline t = new UpgradeTimeline();
    List<PodEvent> pods =
        rec.of(PodEvent.class, p -> cluster.equals(p.cluster()) && !p.at().isBefore(since));
    List<ServiceRowEvent> beats =
        rec.of(
            ServiceRowEvent.class,
            e ->
                cluster.equals(e.cluster())
                    && e.change() == ServiceRowEvent.Change.HEARTBEAT
                    && !e.at().isBefore(since));
    List<Instant> deletions =
        pods.stream()
            .filter(p -> p.kind() == PodEvent.Kind.DELETED && SERIAL.contains(p.component()))
            .map(PodEvent::at)
            .sorted()
            .toList();
    List<Instant> jobPodsCreated =
        pods.stream()
            .filter(p -> p.kind() == PodEvent.Kind.CREATED && JOBS.contains(p.component()))
            .map(PodEvent::at)
            .sorted()
            .toList();
    for (PodEvent deleted : pods) {
      if (deleted.kind() != PodEvent.Kind.DELETED || !SERIAL.contains(deleted.component())) {
        continue;
      }
      PodEvent gone = next(pods, deleted, PodEvent.Kind.GONE, true);
      PodEvent created = next(pods, deleted, PodEvent.Kind.CREATED, false);
      PodEvent running = created == null ? null : next(pods, created, PodEvent.Kind.RUNNING, true);
      PodEvent ready = running == null ? null : next(pods, running, PodEvent.Kind.READY, true);
      if (gone == null || ready == null) {
        continue;
      }
      Instant beat =
          beats.stream()
              .filter(b -> isHostOf(b.row().host(), deleted.pod()))
              .map(ServiceRowEvent::at)
              .filter(at -> at.isAfter(running.at()))
              .findFirst()
              .orElse(null);
      if (beat == null) {
        continue;
      }
      Instant gate = ready.at().isAfter(beat) ? ready.at() : beat;
      t.add("termination", deleted.at(), gone.at());
      t.add("recreate", gone.at(), created.at());
      t.add("start", created.at(), running.at());
      t.add("ready", running.at(), ready.at());
      t.add("firstHeartbeat", running.at(), beat);
      t.add("readyAndHeartbeat", running.at(), gate);
      deletions.stream()
          .filter(d -> d.isAfter(gate))
          .findFirst()
          .ifPresent(d -> t.add("reactionToNextDeletion", gate, d));
    }
    for (PodEvent created : pods) {
      if (created.kind() != PodEvent.Kind.CREATED || !JOBS.contains(created.component())) {
        continue;
      }
      PodEvent running = next(pods, created, PodEvent.Kind.RUNNING, true);
      PodEvent done = running == null ? null : next(pods, running, PodEvent.Kind.SUCCEEDED, true);
      if (done == null) {
        continue;
      }
      t.add("jobStart", created.at(), running.at());
      t.add("jobRun", running.at(), done.at());
      jobPodsCreated.stream()
          .filter(c -> c.isAfter(done.at()))
          .findFirst()
          .ifPresent(c -> t.add("jobToNextJobPod", done.at(), c));
    }
    return t.describe();
  }

  /** The volume host is {@code <pod>@<backend>}; the others are the pod's name. */
  private static boolean isHostOf(String host, String pod) {
    return host.equals(pod) || host.startsWith(pod + "@");
  }

  /** The first event of that kind after {@code from}, of the same pod (by uid when sameUid). */
  private static PodEvent next(
      List<PodEvent> pods, PodEvent from, PodEvent.Kind kind, boolean sameUid) {
    return pods.stream()
        .filter(p -> p.kind() == kind && p.pod().equals(from.pod()))
        .filter(p -> !sameUid || p.uid().equals(from.uid()))
        .filter(p -> !p.at().isBefore(from.at()))
        .min(Comparator.comparing(PodEvent::at))
        .orElse(null);
  }

  private void add(String segment, Instant from, Instant to) {
    segments
        .computeIfAbsent(segment, k -> new ArrayList<>())
        .add(Duration.between(from, to).toMillis());
  }

  private Map<String, Object> describe() {
    Map<String, Object> out = new LinkedHashMap<>();
    segments.forEach(
        (name, values) -> {
          List<Long> sorted = values.stream().sorted().toList();
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("count", sorted.size());
          m.put("medianMs", sorted.get(sorted.size() / 2));
          m.put("maxMs", sorted.get(sorted.size() - 1));
          m.put("totalMs", sorted.stream().mapToLong(Long::longValue).sum());
          out.put(name, m);
        });
    return out;
  }
}
