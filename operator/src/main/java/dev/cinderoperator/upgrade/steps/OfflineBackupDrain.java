package dev.cinderoperator.upgrade.steps;

import dev.cinderoperator.upgrade.Action;
import dev.cinderoperator.upgrade.BackupDrain;
import dev.cinderoperator.upgrade.ClusterLayout;
import dev.cinderoperator.upgrade.Decision;
import dev.cinderoperator.upgrade.NextAct;
import dev.cinderoperator.upgrade.PlanContext;
import dev.cinderoperator.upgrade.StepAnswer;
import java.util.ArrayList;
import java.util.List;

/** The end of an offline upgrade's Preflight: every backup host drained at once. */
final class OfflineBackupDrain {
  private OfflineBackupDrain() {}

  /**
   * Offline, before every service stops: disable every backup host and tell the schedulers to skip
   * them all (new backups fail at once with "Service not found" instead of landing on a host about
   * to stop), then wait for the backups in flight, as the rolling path does per pod. The hosts are
   * allowed again once their new pods pass their gate in Unpinning.
   */
  static StepAnswer next(PlanContext ctx) {
    List<Decision.Notice> notices = new ArrayList<>();
    List<String> hosts = new ArrayList<>();
    for (ClusterLayout.Slot slot : ctx.layout.backups()) {
      hosts.add(slot.host());
    }
    for (ClusterLayout.Slot slot : ctx.layout.backups()) {
      if (!ctx.obs.backupHostsStopped().contains(slot.host())) {
        return StepAnswer.of(
                new NextAct(
                        new Action.StopNewBackups(slot.host()),
                        "offline upgrade: stopping new backups on " + slot.host())
                    .with(ctx.inFlight(PlanContext.OFFLINE_DRAIN)))
            .keepingOff(hosts);
      }
    }
    if (hosts.isEmpty()) {
      return StepAnswer.done();
    }
    BackupDrain drain =
        BackupDrain.of(ctx, PlanContext.OFFLINE_DRAIN, hosts, "offline upgrade", true);
    if (drain.abandoned() > 0) {
      notices.add(
          new Decision.Notice(
              "BackupDrainTimeout",
              "offline upgrade: backupDrainTimeout passed with "
                  + drain.abandoned()
                  + " backups in flight; stopping the services anyway"
                  + " (backupDrainTimeoutAction: Proceed), Cinder marks them error",
              true));
    }
    return StepAnswer.of(drain.blocked(), notices).with(drain.change()).keepingOff(hosts);
  }
}
