package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.VersionPin;
import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.upgrade.steps.Route;
import dev.cinderoperator.upgrade.steps.Routes;
import java.util.ArrayList;
import java.util.List;

/**
 * The start of a route: the status.upgrade a new upgrade (or rollback) records, and the act that
 * records it; or, for an upgrade the operator refuses, the stall and no record.
 *
 * @param act StartUpgrade, StartRollback or the refusal's Stall
 * @param upgrade the new status.upgrade; null when refused
 */
record RouteStart(NextAct act, UpgradeStatus upgrade) {

  /** An upgrade from status.release/image to spec.release/image. */
  static RouteStart upgrade(PlanContext ctx, Routes routes) {
    CinderClusterStatus st = ctx.obs.status();
    CinderClusterSpec spec = ctx.obs.spec();
    String from = st.getRelease();
    String to = spec.getRelease();
    RouteChoice choice =
        RouteChoice.of(
            ctx.obs.catalog(), from, to, st.getImage(), ctx.policy.allowSkipLevelOrDefault());
    if (choice.refused()) {
      return new RouteStart(PlanContext.stall(choice.reason(), choice.message(), null), null);
    }
    Route route = routes.of(choice.mode());
    UpgradeStatus u = begin(ctx, route);
    u.setFromRelease(from);
    u.setToRelease(to);
    u.setFromImage(st.getImage());
    u.setToImage(spec.getImage());
    u.setDataMigrationRuns(JobSteps.nextRunAfter(st.getUpgrade(), st.getImage()));
    return new RouteStart(
        NextAct.of(
            new Action.StartUpgrade(
                from, to, st.getImage(), spec.getImage(), route.mode(), u.getTotalSteps())),
        u);
  }

  /**
   * Spec went back to the source while the upgrade could still go back: the rollback route, from
   * the abandoned target to the source.
   */
  static RouteStart rollback(PlanContext ctx, Routes routes) {
    UpgradeStatus old = ctx.draft;
    UpgradeStatus r = begin(ctx, routes.rollback());
    r.setFromRelease(old.getToRelease());
    r.setToRelease(old.getFromRelease());
    r.setFromImage(old.getToImage());
    r.setToImage(old.getFromImage());
    // Before Unpinning the runs are the Preflight's on the image this rollback returns to.
    r.setDataMigrationRuns(old.getDataMigrationRuns());
    r.setTargets(rollbackTargets(ctx, old));
    return new RouteStart(
        NextAct.of(
            new Action.StartRollback(
                r.getFromRelease(),
                r.getToRelease(),
                r.getFromImage(),
                r.getToImage(),
                r.getTotalSteps())),
        r);
  }

  private static UpgradeStatus begin(PlanContext ctx, Route route) {
    UpgradeStatus u = new UpgradeStatus();
    u.setMode(route.mode());
    u.setStep(route.first().id());
    u.setStartedAt(ctx.now().toString());
    u.setStepStartedAt(ctx.now().toString());
    u.setTotalSteps(route.total(ctx.layout));
    u.setCompletedSteps(0);
    return u;
  }

  /**
   * The versions pods report once back on the source image: the pins recorded when every service
   * still ran it, else the source image's probe, else the catalog.
   */
  private static List<VersionPin> rollbackTargets(PlanContext ctx, UpgradeStatus old) {
    if (old.getPins() != null && !old.getPins().isEmpty()) {
      return UpgradeStatuses.copyPins(old.getPins());
    }
    ProbedVersions probed = ctx.obs.probes().get(old.getFromImage());
    if (probed != null) {
      return probed.toPins();
    }
    return ctx.obs
        .catalog()
        .find(old.getFromRelease())
        .filter(Release::hasExpectedVersions)
        .map(r -> new ProbedVersions(r.rpcVersions(), r.objectVersion(), List.of(), null).toPins())
        .orElseGet(ArrayList::new);
  }
}
