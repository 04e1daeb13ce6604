package dev.cinderoperator.upgrade.steps;

import static dev.cinderoperator.upgrade.PlanContext.RECHECK_POD;
import static dev.cinderoperator.upgrade.PlanContext.RECHECK_SERVICE;

import dev.cinderoperator.api.UnpinStrategy;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.upgrade.Action;
import dev.cinderoperator.upgrade.ClusterLayout;
import dev.cinderoperator.upgrade.NextAct;
import dev.cinderoperator.upgrade.PlanContext;
import dev.cinderoperator.upgrade.PlannedStep;
import dev.cinderoperator.upgrade.PodGate;
import dev.cinderoperator.upgrade.PodInventory;
import dev.cinderoperator.upgrade.PodRoller;
import dev.cinderoperator.upgrade.PodView;
import dev.cinderoperator.upgrade.ServiceRowAudit;
import dev.cinderoperator.upgrade.StepAnswer;
import dev.cinderoperator.workload.Component;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Unpinning: once every pod runs the target and every row reports it, SIGHUP (or restart) each
 * scheduler, volume and backup process that started before the rows reached the target, then
 * restart the API pods that did. When the rows got there is recorded
 * (status.upgrade.rowsAtTargetAt) with the answer.
 *
 * @param startsServices an offline upgrade: every workload comes back here, on the target image
 */
public record Unpinning(boolean startsServices) implements Step {

  @Override
  public UpgradeStep id() {
    return UpgradeStep.Unpinning;
  }

  @Override
  public StepAnswer next(PlanContext ctx) {
    Optional<NextAct> notYet = everythingAtTarget(ctx);
    if (notYet.isPresent()) {
      return StepAnswer.of(notYet.get());
    }
    Instant reached = PlanContext.parseInstant(ctx.draft.getRowsAtTargetAt()).orElse(ctx.now());
    StepAnswer unpinned = unpinServices(ctx, reached);
    if (unpinned.finished()) {
      unpinned = unpinned.then(StepAnswer.of(restartApi(ctx, reached), List.of()));
    }
    return unpinned.with(s -> s.setRowsAtTargetAt(reached.toString()));
  }

  /** Every pod on the target image and through its gate, every row at the target. */
  private Optional<NextAct> everythingAtTarget(PlanContext ctx) {
    UpgradeStatus u = ctx.draft;
    String image = u.getToImage();
    for (ClusterLayout.Slot slot : ctx.layout.forward()) {
      PodView p = ctx.pod(slot.pod());
      if (p == null || p.terminating() || !image.equals(p.image())) {
        String state =
            p == null
                ? " is missing"
                : p.terminating() ? " is terminating" : " runs " + p.image() + ", not " + image;
        return Optional.of(
            PlanContext.waiting("WaitingForPod", "pod " + slot.pod() + state, RECHECK_POD));
      }
      Optional<NextAct> gate = PodGate.check(ctx, p, slot, ctx.targets());
      if (gate.isPresent()) {
        return gate;
      }
      // Offline upgrades stopped new backups before stopping the services; the flag outlives them.
      // (Rolling upgrades allow each host as its pod passes; a Restart unpin drains it again.)
      if (startsServices
          && slot.component() == Component.BACKUP
          && ctx.obs.backupHostsStopped().contains(slot.host())) {
        return Optional.of(NextAct.of(new Action.AllowNewBackups(slot.host())));
      }
    }
    Optional<NextAct> api = ApiPods.settled(ctx, image);
    if (api.isPresent()) {
      return api;
    }
    ServiceRowAudit audit = ServiceRowAudit.of(ctx, ctx.targets(), u.getToRelease());
    Optional<NextAct> rows = audit.resolve(ctx);
    if (rows.isPresent() || audit.ownBelowTarget.isEmpty()) {
      return rows;
    }
    ServiceRowAudit.Finding f = audit.ownBelowTarget.get(0);
    return Optional.of(
        PlanContext.waiting(
            "WaitingForServiceReport",
            "service "
                + f.describe()
                + " is below the target "
                + ctx.targets().get(CinderBinary.fromBinaryName(f.row().binary()).orElseThrow()),
            RECHECK_SERVICE));
  }

  /** SIGHUP (or, by unpinStrategy, restart) every process that started before {@code reached}. */
  private static StepAnswer unpinServices(PlanContext ctx, Instant reached) {
    if (ctx.policy.unpinStrategyOrDefault() == UnpinStrategy.Restart) {
      PodRoller.Goal goal =
          new PodRoller.Goal(
              p -> p.startedAt() == null || p.startedAt().isAfter(reached),
              "restart to drop the cached version pins",
              ctx.targets(),
              true);
      return PodRoller.roll(ctx, ctx.layout.forward(), goal);
    }
    for (ClusterLayout.Slot slot : ctx.layout.forward()) {
      PodView p = ctx.pod(slot.pod());
      if (p.startedAt() == null || p.startedAt().isAfter(reached)) {
        continue;
      }
      Action.SignalPod signal = new Action.SignalPod(p.name(), p.uid());
      if (toldOnce(ctx.draft, signal)) {
        continue;
      }
      if (!p.running()) {
        return StepAnswer.of(
            PlanContext.waiting(
                "WaitingForPod", "pod " + p.name() + ": waiting for it to run", RECHECK_POD));
      }
      return StepAnswer.of(new NextAct(signal, "pod " + p.name() + ": signalling"));
    }
    return StepAnswer.done();
  }

  /** cinder-api caches version pins and ignores SIGHUP: its pods that started too early restart. */
  private static Optional<NextAct> restartApi(PlanContext ctx, Instant reached) {
    ApiRestart rule = ApiRestart.of(ctx, reached);
    for (PodView p : ctx.liveApiPods()) {
      if (!rule.early(p)) {
        continue;
      }
      Optional<NextAct> wait = rule.tooSoon(ctx).or(() -> PodInventory.blocker(ctx, p.name()));
      if (wait.isPresent()) {
        return wait;
      }
      return Optional.of(
          new NextAct(
                  new Action.RestartPod(
                      p.name(),
                      p.uid(),
                      Component.API,
                      "cinder-api caches version pins and ignores SIGHUP; it started before"
                          + " every service reported the target"),
                  "pod " + p.name() + ": restarting")
              .with(ctx.inFlight(PlanContext.markerPod(p.name()))));
    }
    return Optional.empty();
  }

  /**
   * Whether this pod was signalled, or restarted because it could not be. A marker is recorded only
   * once the rows are at the target, so a later incarnation of the same pod (another uid) started
   * after that and read the target versions: it is not signalled again, even when Kubernetes'
   * whole-second start time puts its start in the same second as the rows'.
   */
  private static boolean toldOnce(UpgradeStatus u, Action.SignalPod signal) {
    if (u.getSignalledPods() == null) {
      return false;
    }
    String pod = signal.pod() + "/";
    return u.getSignalledPods().stream().anyMatch(m -> m.startsWith(pod));
  }

  @Override
  public boolean movesTemplate(Component component) {
    return startsServices;
  }

  @Override
  public boolean revertible() {
    return false;
  }

  @Override
  public int weight(ClusterLayout layout) {
    return startsServices ? 2 : 1; // (start,) unpin
  }

  @Override
  public PlannedStep preview(PreviewInput in) {
    if (startsServices) {
      return new PlannedStep(
          id(),
          "start every service on "
              + in.toImage()
              + ", wait until each reports the target versions, allow backups again,"
              + " SIGHUP scheduler, volume and backup, restart the api pods",
          List.of(),
          in.everyPod());
    }
    return new PlannedStep(
        id(),
        in.policy().unpinStrategyOrDefault()
            + " every scheduler, volume and backup process so it drops the cached version pins",
        List.of(),
        in.forwardPods());
  }
}
