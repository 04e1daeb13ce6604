package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.workload.Component;
import java.time.Duration;
import java.time.Instant;
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
  static void start(PlanContext ctx, ClusterLayout.Slot slot) {
    if (!applies(ctx, slot)) {
      return;
    }
    Optional<Instant> last = lastSeen(ctx, slot);
    UpgradeStatus u = ctx.draft;
    u.setVolumeGapHost(last.isPresent() ? slot.host() : null);
    u.setVolumeGapFrom(last.map(Instant::toString).orElse(null));
  }

  /**
   * While the new process has not reported: a later heartbeat of the old one (pod missing or
   * terminating, or a heartbeat not newer than the new pod's start) moves the start forward.
   */
  static void follow(PlanContext ctx, ClusterLayout.Slot slot, PodView pod) {
    Optional<Instant> from = measuring(ctx, slot);
    Optional<Instant> last = lastSeen(ctx, slot);
    if (from.isEmpty() || last.isEmpty() || !last.get().isAfter(from.get())) {
      return;
    }
    Instant start =
        pod == null ? null : pod.startedAt() != null ? pod.startedAt() : pod.createdAt();
    boolean oldProcess =
        pod == null
            || pod.terminating()
            || start == null
            || !last.get().isAfter(ctx.toDatabaseTime(start));
    if (oldProcess) {
      ctx.draft.setVolumeGapFrom(last.get().toString());
    }
  }

  /** The new pod passed its gate: report the gap once and forget the start. */
  static void end(PlanContext ctx, ClusterLayout.Slot slot) {
    Optional<Instant> from = measuring(ctx, slot);
    Optional<Instant> first = lastSeen(ctx, slot);
    if (from.isEmpty() || first.isEmpty()) {
      return;
    }
    Duration gap = Duration.between(from.get(), first.get());
    Duration downTime = ctx.services().serviceDownTime();
    UpgradeStatus u = ctx.draft;
    u.setLastVolumeGapSeconds(gap.toMillis() / 1000.0);
    u.setVolumeGapHost(null);
    u.setVolumeGapFrom(null);
    ctx.notices.add(
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
            gap.compareTo(downTime) > 0));
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
