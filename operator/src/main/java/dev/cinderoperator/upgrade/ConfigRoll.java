package dev.cinderoperator.upgrade;

import dev.cinderoperator.workload.Component;

/**
 * No upgrade, but cinder.conf changed: scheduler, volume and backup pods replaced one at a time
 * through the same {@link PodRoller} (and gates) as an upgrade, until each carries the desired
 * config checksum.
 */
final class ConfigRoll {
  private ConfigRoll() {}

  /** The next act of the roll; done when every pod carries its config (or none is known). */
  static StepAnswer next(PlanContext ctx) {
    ConfigChecksums desired = ctx.obs.desiredConfigChecksums();
    if (desired == null) {
      return StepAnswer.done();
    }
    boolean needed = false;
    for (ClusterLayout.Slot slot : ctx.layout.forward()) {
      PodView p = ctx.pod(slot.pod());
      boolean stale = p != null && !p.terminating() && !carries(desired, p);
      boolean inFlight =
          ctx.recordedInFlight(PlanContext.markerPod(slot.pod()))
              || ctx.recordedInFlight(PlanContext.markerDrain(slot.pod()))
              || (slot.component() == Component.BACKUP
                  && ctx.obs.backupHostsStopped().contains(slot.host()));
      needed |= stale || inFlight;
    }
    if (!needed) {
      return StepAnswer.done();
    }
    PodRoller.Goal goal =
        new PodRoller.Goal(p -> carries(desired, p), "cinder.conf changed", null, false);
    return PodRoller.roll(ctx, ctx.layout.forward(), goal);
  }

  private static boolean carries(ConfigChecksums desired, PodView p) {
    String want = desired.desiredFor(p.component(), p.backend());
    return want == null || want.equals(p.configChecksum());
  }
}
