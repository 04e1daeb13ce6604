package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.UpgradeStatus;

/** spec.upgrade.paused: finish what is in flight, start nothing new. */
final class PauseHold {
  private PauseHold() {}

  /**
   * {@code next} itself, or the Paused wait that holds it, which puts back what the held act would
   * have recorded in flight (applied after {@code next}'s own change).
   */
  static NextAct apply(PlanContext ctx, NextAct next) {
    if (!ctx.policy.pausedOrDefault() || !next.action().changesWorld() || continues(ctx, next)) {
      return next;
    }
    UpgradeStatus recorded = ctx.recorded == null ? new UpgradeStatus() : ctx.recorded;
    // The held act is not in flight, and nothing is deleted: no gap to measure.
    StatusChange asRecorded =
        u -> {
          u.setInFlight(recorded.getInFlight());
          u.setInFlightSince(recorded.getInFlightSince());
          u.setVolumeGapHost(recorded.getVolumeGapHost());
          u.setVolumeGapFrom(recorded.getVolumeGapFrom());
        };
    return PlanContext.paused(
            "paused by spec.upgrade.paused"
                + (next.blockedBy() == null ? "" : "; next: " + next.blockedBy()))
        .with(asRecorded);
  }

  /** Whether the act finishes one already recorded in flight. */
  private static boolean continues(PlanContext ctx, NextAct next) {
    Action a = next.action();
    if (a instanceof Action.AllowNewBackups) {
      return true;
    }
    if (a instanceof Action.ReplacePod r) {
      return inFlightPod(ctx, r.pod());
    }
    if (a instanceof Action.RestartPod r) {
      return inFlightPod(ctx, r.pod());
    }
    if (a instanceof Action.StopNewBackups s) {
      return ctx.recordedInFlight(PlanContext.markerDrain(s.host()))
          || ctx.recordedInFlight(PlanContext.OFFLINE_DRAIN);
    }
    return a instanceof Action.CreateJob j && ctx.recordedInFlight(PlanContext.markerJob(j.name()));
  }

  private static boolean inFlightPod(PlanContext ctx, String pod) {
    return ctx.recordedInFlight(PlanContext.markerPod(pod))
        || ctx.recordedInFlight(PlanContext.markerDrain(pod))
        || ctx.obs.backupHostsStopped().contains(pod);
  }
}
