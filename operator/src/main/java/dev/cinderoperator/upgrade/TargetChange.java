package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.upgrade.steps.Routes;
import java.util.Objects;

/**
 * Spec changed while an upgrade runs: back to the source where the route still allows it (a
 * rollback starts), else a stall that says how to go on.
 */
final class TargetChange {
  private TargetChange() {}

  /** Whether spec still asks for the target of the upgrade under way. */
  static boolean onTarget(PlanContext ctx) {
    CinderClusterSpec spec = ctx.obs.spec();
    return Objects.equals(spec.getImage(), ctx.draft.getToImage())
        && Objects.equals(spec.getRelease(), ctx.draft.getToRelease());
  }

  /** The rollback, or the stall (with no new record) when the route cannot go back. */
  static RouteStart of(PlanContext ctx, Routes routes) {
    UpgradeStatus u = ctx.draft;
    CinderClusterSpec spec = ctx.obs.spec();
    UpgradeMode mode = u.getMode();
    boolean canRollBack = mode != UpgradeMode.Rollback && routes.of(mode).revertible(u.getStep());
    boolean reverted =
        Objects.equals(spec.getImage(), u.getFromImage())
            && Objects.equals(spec.getRelease(), u.getFromRelease());
    if (reverted && canRollBack) {
      return RouteStart.rollback(ctx, routes);
    }
    return new RouteStart(refusal(ctx, reverted, canRollBack), null);
  }

  private static NextAct refusal(PlanContext ctx, boolean reverted, boolean canRollBack) {
    UpgradeStatus u = ctx.draft;
    CinderClusterSpec spec = ctx.obs.spec();
    UpgradeMode mode = u.getMode();
    if (reverted && mode != UpgradeMode.Rollback) {
      String why =
          mode == UpgradeMode.Offline
              ? "the services were stopped and the database migrated by "
                  + u.getToRelease()
                  + "'s db sync, which "
                  + u.getFromRelease()
                  + " cannot run against after a skip-level jump"
              : "the services have dropped their version pins and may already use "
                  + u.getToRelease()
                  + "'s RPC and object versions, which "
                  + u.getFromRelease()
                  + "'s code cannot read";
      return PlanContext.stall(
          "RevertRefused",
          "spec was set back to "
              + u.getFromRelease()
              + " ("
              + u.getFromImage()
              + ") after "
              + u.getStep()
              + " began: "
              + why
              + ". Roll forward (set spec.release/spec.image back to "
              + u.getToRelease()
              + "/"
              + u.getToImage()
              + "), or restore the database backup taken before the upgrade and redeploy "
              + u.getFromRelease()
              + ".",
          "revert to " + u.getFromImage() + " refused at " + u.getStep());
    }
    String what =
        (mode == UpgradeMode.Rollback ? "a rollback to " : "an upgrade to ")
            + u.getToRelease()
            + " ("
            + u.getToImage()
            + ") is under way";
    return PlanContext.stall(
        "TargetChanged",
        "spec asks for "
            + spec.getRelease()
            + " ("
            + spec.getImage()
            + ") but "
            + what
            + ". Set spec.release/spec.image back to "
            + u.getToRelease()
            + "/"
            + u.getToImage()
            + " to let it finish"
            + (canRollBack
                ? ", or to " + u.getFromRelease() + "/" + u.getFromImage() + " to roll back"
                : "")
            + ", then change it again.",
        "spec changed during the upgrade");
  }
}
