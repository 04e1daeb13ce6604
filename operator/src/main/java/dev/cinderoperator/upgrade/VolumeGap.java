package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.workload.Component;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How long an active/passive volume backend is without a live cinder-volume while its only pod is
 * replaced: from the old process's last heartbeat to the new process's first, both read from the
 * services row (same host, database clock). The start is recorded in status before the delete and
 * moved forward while the old process still heartbeats (it may report once more while shutting
 * down); the end is the row's heartbeat when the planner first sees the new pod pass its gate, so
 * the gap is exact to within one recheck of the gate.
 */
final class VolumeGap {
  private VolumeGap() {}

  /** Whether replacing this slot's pod leaves its backend without a service (not active/active). */
  static boolean applies(PlanContext ctx, ClusterLayout.Slot slot) {
    if (slot.component() != Component.VOLUME) {
      return false;
    }
    return ctx.obs.spec().volumesOrEmpty().stream()
        .filter(b -> b.getName().equals(slot.backend()))
        .findFirst()
        .map(b -> !b.isActiveActive())
        .orElse(false);
  }

  /** Before the pod is deleted: the old process's last heartbeat so far. */
  static StatusChange start(PlanContext ctx, ClusterLayout.Slot slot) {
    if (!applies(ctx, slot)) {
      return StatusChange.NONE;
    }
    Optional<Instant> last = lastSeen(ctx, slot);
    String host = last.isPresent() ? slot.host() : null;
    String from = last.map(Instant::toString).orElse(null);
    return u -> {
      u.setVolumeGapHost(host);
      u.setVolumeGapFrom(from);
    };
  }

  /**
   * While the new process has not reported: a later heartbeat of the old one (pod missing or
   * terminating, or a heartbeat not newer than the new pod's start) moves the start forward.
   */
  static StatusChange follow(PlanContext ctx, ClusterLayout.Slot slot, PodView pod) {
    Optional<Instant> from = measuring(ctx, slot);
    Optional<Instant> moved = followed(ctx, slot, pod, from);
    if (moved.equals(from)) {
      return StatusChange.NONE;
    }
    String to = moved.get().toString();
    return u -> u.setVolumeGapFrom(to);
  }

  /** The start, moved forward to a later heartbeat of the old process, if any. */
  private static Optional<Instant> followed(
      PlanContext ctx, ClusterLayout.Slot slot, PodView pod, Optional<Instant> from) {
    Optional<Instant> last = lastSeen(ctx, slot);
    if (from.isEmpty() || last.isEmpty() || !last.get().isAfter(from.get())) {
      return from;
    }
    Instant start =
        pod == null ? null : pod.startedAt() != null ? pod.startedAt() : pod.createdAt();
    boolean oldProcess =
        pod == null
            || pod.terminating()
            || start == null
            || !last.get().isAfter(ctx.toDatabaseTime(start));
    return oldProcess ? last : from;
  }

  /**
   * The new pod passed its gate: the gap (from the start as {@link #follow} leaves it), reported
   * once, and the start forgotten; done either way.
   */
  static StepAnswer end(PlanContext ctx, ClusterLayout.Slot slot, PodView pod) {
    Optional<Instant> from = followed(ctx, slot, pod, measuring(ctx, slot));
    Optional<Instant> first = lastSeen(ctx, slot);
    if (from.isEmpty() || first.isEmpty()) {
      return StepAnswer.done();
    }
    Duration gap = Duration.between(from.get(), first.get());
    Duration downTime = ctx.services().serviceDownTime();
    Decision.Notice told =
        new Decision.Notice(
            "VolumeServiceGap",
            String.format(
                Locale.ROOT,
                "backend %s: cinder-volume was without a live service for %.1fs"
                    + " (service_down_time %ds)%s",
                slot.backend(),
                gap.toMillis() / 1000.0,
                downTime.toSeconds(),
                gap.compareTo(downTime) > 0
                    ? "; Cinder saw it down: pre-pull the image or raise service_down_time"
                    : ""),
            gap.compareTo(downTime) > 0);
    return new StepAnswer(
        null,
        List.of(told),
        u -> {
          u.setLastVolumeGapSeconds(gap.toMillis() / 1000.0);
          u.setVolumeGapHost(null);
          u.setVolumeGapFrom(null);
        });
  }

  private static Optional<Instant> measuring(PlanContext ctx, ClusterLayout.Slot slot) {
    UpgradeStatus u = ctx.draft;
    if (u == null || !slot.host().equals(u.getVolumeGapHost())) {
      return Optional.empty();
    }
    return PlanContext.parseInstant(u.getVolumeGapFrom());
  }

  private static Optional<Instant> lastSeen(PlanContext ctx, ClusterLayout.Slot slot) {
    return ctx.row(CinderBinary.VOLUME, slot.host()).map(ServiceRow::lastSeen);
  }
}
