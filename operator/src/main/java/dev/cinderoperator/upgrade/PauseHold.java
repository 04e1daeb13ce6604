package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.UpgradeStatus;

/** spec.upgrade.paused: finish what is in flight, start nothing new. */
final class PauseHold {
  private PauseHold() {}

  /** {@code next} itself, or the Paused wait that holds it. */
  static NextAct apply(PlanContext ctx, NextAct next) {
    if (!ctx.policy.pausedOrDefault() || !next.action().changesWorld() || continues(ctx, next)) {
      return next;
    }
    if (ctx.draft != null) {
      UpgradeStatus recorded = ctx.recorded;
      ctx.draft.setInFlight(recorded == null ? null : recorded.getInFlight());
      ctx.draft.setInFlightSince(recorded == null ? null : recorded.getInFlightSince());
      // Nothing is deleted: no gap to measure.
      ctx.draft.setVolumeGapHost(recorded == null ? null : recorded.getVolumeGapHost());
      ctx.draft.setVolumeGapFrom(recorded == null ? null : recorded.getVolumeGapFrom());
    }
    return PlanContext.paused(
        "paused by spec.upgrade.paused"
            + (next.blockedBy() == null ? "" : "; next: " + next.blockedBy()));
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
