package dev.cinderoperator.upgrade.steps;

import dev.cinderoperator.api.Durations;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.api.VersionPin;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.upgrade.ClusterLayout;
import dev.cinderoperator.upgrade.PlanContext;
import dev.cinderoperator.upgrade.PlannedStep;
import dev.cinderoperator.upgrade.PodRoller;
import dev.cinderoperator.upgrade.PodView;
import dev.cinderoperator.upgrade.StepAnswer;
import dev.cinderoperator.workload.Component;
import java.util.List;
import java.util.Map;

/**
 * RollingScheduler, RollingVolume, RollingBackup: the component's StatefulSet pods replaced one at
 * a time through the {@link PodRoller}, each gated on its service working on the new image.
 *
 * @param component scheduler, volume or backup
 * @param back a rollback: the pods go back to the source image in reverse order; the templates all
 *     went back when the rollback began, so this step moves none
 */
public record RollPods(Component component, boolean back) implements Step {

  public RollPods {
    if (component != Component.SCHEDULER
        && component != Component.VOLUME
        && component != Component.BACKUP) {
      throw new IllegalArgumentException("no StatefulSet roll for " + component);
    }
  }

  @Override
  public UpgradeStep id() {
    return switch (component) {
      case SCHEDULER -> UpgradeStep.RollingScheduler;
      case VOLUME -> UpgradeStep.RollingVolume;
      default -> UpgradeStep.RollingBackup;
    };
  }

  @Override
  public StepAnswer next(PlanContext ctx) {
    UpgradeStatus u = ctx.draft;
    Map<CinderBinary, VersionPin> expected = ctx.targets();
    PodRoller.Goal goal =
        new PodRoller.Goal(
            p -> u.getToImage().equals(p.image()),
            (back ? "rollback to " : "upgrade to ")
                + u.getToRelease()
                + " ("
                + u.getToImage()
                + ")",
            back && expected.isEmpty() ? null : expected,
            false);
    List<ClusterLayout.Slot> slots = ctx.layout.of(component);
    return PodRoller.roll(ctx, back ? ClusterLayout.reversed(slots) : slots, goal);
  }

  @Override
  public boolean movesTemplate(Component c) {
    return !back && c == component;
  }

  @Override
  public int weight(ClusterLayout layout) {
    return layout.of(component).size();
  }

  /** Pods on the target image and Ready. */
  @Override
  public int done(PlanContext ctx) {
    int n = 0;
    for (ClusterLayout.Slot slot : ctx.layout.of(component)) {
      PodView p = ctx.pod(slot.pod());
      if (p != null && !p.terminating() && p.ready() && ctx.draft.getToImage().equals(p.image())) {
        n++;
      }
    }
    return n;
  }

  @Override
  public PlannedStep preview(PreviewInput in) {
    String what =
        switch (component) {
          case SCHEDULER ->
              "replace scheduler pods one at a time, each gated on Ready and its service"
                  + " reporting the target versions";
          case VOLUME -> "replace volume pods one backend after another, one pod at a time";
          default ->
              "per backup pod: stop new backups, wait for those in flight (up to "
                  + Durations.format(in.policy().backupDrainTimeoutOrDefault())
                  + "), replace, allow again";
        };
    List<ClusterLayout.Slot> slots = in.layout().of(component);
    return new PlannedStep(
        id(),
        back ? what + ", in reverse order" : what,
        List.of(),
        in.toRoll(back ? ClusterLayout.reversed(slots) : slots));
  }
}
