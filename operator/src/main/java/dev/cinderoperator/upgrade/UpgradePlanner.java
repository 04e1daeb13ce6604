package dev.cinderoperator.upgrade;

import static dev.cinderoperator.upgrade.PlanContext.RECHECK_DATABASE;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.upgrade.steps.EveryServiceWorks;
import dev.cinderoperator.upgrade.steps.Route;
import dev.cinderoperator.upgrade.steps.Routes;
import dev.cinderoperator.upgrade.steps.Step;
import dev.cinderoperator.workload.Component;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The upgrade as a pure function: an {@link Observation} in, the next {@link Decision} out. No
 * Kubernetes client, no JDBC, no clock of its own. An upgrade follows a {@link Route} of steps
 * (rolling, offline, rollback; see {@link Routes}): the current step (status.upgrade.step) says
 * what it does next, and once it is done the route says which step is recorded next. Progress is
 * re-derived from the observed pods, jobs and services rows each time; the status carries only what
 * cannot be observed (step, pins, the act in flight, signals sent), so the same observation after
 * an operator restart yields the same decision and no finished act is repeated.
 *
 * <p>The executor writes {@link Decision#upgrade()} (and the phase/conditions) before it performs
 * {@link Decision#action()}, one action per reconcile.
 */
public final class UpgradePlanner {

  private final Routes routes;

  public UpgradePlanner() {
    this(Routes.STANDARD);
  }

  UpgradePlanner(Routes routes) {
    this.routes = routes;
  }

  /** The next act of the upgrade machinery. */
  public Decision plan(Observation obs) {
    CinderClusterStatus st = obs.status();
    if (st == null || st.getImage() == null) {
      return new Decision(
          new Action.Idle(
              "FirstInstall", "no release is deployed yet: the first deployment is not an upgrade"),
          st == null ? null : UpgradeStatuses.copy(st.getUpgrade()),
          null,
          List.of());
    }
    PlanContext ctx = new PlanContext(obs);
    UpgradeStatus u = ctx.recorded;
    boolean active = u != null && u.getStep() != null && u.getStep() != UpgradeStep.Complete;
    if (obs.services().isEmpty()) {
      NextAct b =
          PlanContext.waiting(
              "DatabaseUnavailable",
              "the Cinder database cannot be reached; nothing moves until it can",
              RECHECK_DATABASE);
      if (active) {
        ctx.draft.setBlockedBy(b.blockedBy());
      }
      return new Decision(b.action(), ctx.draft, active ? Phase.Upgrading : null, List.of());
    }
    if (active) {
      List<Decision.Notice> notices = new ArrayList<>();
      Set<String> keptOff = new LinkedHashSet<>();
      NextAct next = advance(ctx, notices, keptOff);
      return decision(ctx, next, notices, keptOff, true);
    }
    boolean specChanged =
        !Objects.equals(obs.spec().getImage(), st.getImage())
            || !Objects.equals(obs.spec().getRelease(), st.getRelease());
    if (specChanged) {
      RouteStart start = RouteStart.upgrade(ctx, routes);
      if (start.upgrade() == null) {
        // A refused start leaves the last upgrade's record as it was.
        return new Decision(
            start.act().action(), UpgradeStatuses.copy(u), Phase.Stalled, List.of());
      }
      ctx.draft = start.upgrade();
      return decision(ctx, start.act(), List.of(), Set.of(), true);
    }
    StepAnswer roll = ConfigRoll.next(ctx);
    ctx.apply(roll.change());
    if (!roll.finished()) {
      return decision(ctx, roll.next(), roll.notices(), roll.keptOff(), false);
    }
    if (ctx.draft != null) {
      ctx.draft.setBlockedBy(null);
      ctx.draft.setInFlight(null);
      ctx.draft.setInFlightSince(null);
    }
    return new Decision(
        new Action.Idle("NothingToDo", "every pod runs " + st.getImage()),
        ctx.draft,
        null,
        roll.notices(),
        roll.keptOff());
  }

  /** One move along the route of the upgrade under way. */
  private NextAct advance(PlanContext ctx, List<Decision.Notice> notices, Set<String> keptOff) {
    UpgradeStatus u = ctx.draft;
    if (!TargetChange.onTarget(ctx)) {
      RouteStart change = TargetChange.of(ctx, routes);
      if (change.upgrade() != null) {
        ctx.draft = change.upgrade();
      }
      return change.act();
    }
    Route route = routes.of(u.getMode());
    Optional<Step> step = route.step(u.getStep());
    if (step.isEmpty()) {
      return recordStep(ctx, route.resumeAfter(u.getStep()));
    }
    StepAnswer answer = step.get().next(ctx);
    ctx.apply(answer.change());
    notices.addAll(answer.notices());
    keptOff.addAll(answer.keptOff());
    if (!answer.finished()) {
      return answer.next();
    }
    Optional<Step> following = route.after(step.get());
    if (following.isPresent()) {
      return recordStep(ctx, following.get());
    }
    return EveryServiceWorks.blocker(ctx).orElseGet(() -> complete(ctx));
  }

  /** The act, held while paused, with the status it needs written first. */
  private Decision decision(
      PlanContext ctx,
      NextAct next,
      List<Decision.Notice> stepNotices,
      Set<String> keptOff,
      boolean upgrading) {
    ctx.apply(next.change());
    NextAct b = PauseHold.apply(ctx, next);
    if (b != next) {
      ctx.apply(b.change());
    }
    ctx.ensureDraft();
    ctx.draft.setBlockedBy(b.blockedBy());
    List<Decision.Notice> notices = new ArrayList<>(stepNotices);
    if (upgrading) {
      count(ctx.draft, ctx);
      ctx.apply(FailedBackupReport.record(ctx, notices));
    }
    return new Decision(b.action(), ctx.draft, phaseOf(b), notices, keptOff);
  }

  // --- what the workload builder and the plan command need -----------------------

  /**
   * The image the pod template of a workload must carry now, so templates follow the roll: the
   * route says at which step each component's template moves (see {@link Step#movesTemplate}).
   * StatefulSets use updateStrategy OnDelete: a template change moves no pod until the planner
   * deletes it, so every volume backend switches at once and the planner still replaces their pods
   * in order. The API Deployment rolls by itself (maxUnavailable 0) once its template changes.
   * Before an upgrade is recorded, templates keep status.image.
   *
   * @param backend the volume backend (unused today: all backends switch together)
   */
  public String templateImage(
      CinderClusterStatus status, CinderClusterSpec spec, Component component, String backend) {
    if (status == null || status.getImage() == null) {
      return spec.getImage();
    }
    UpgradeStatus u = status.getUpgrade();
    if (u == null
        || u.getStep() == null
        || u.getStep() == UpgradeStep.Complete
        || u.getToImage() == null
        || u.getFromImage() == null) {
      return status.getImage();
    }
    UpgradeMode mode = u.getMode() == null ? UpgradeMode.Rolling : u.getMode();
    return routes.of(mode).templateMoved(u.getStep(), component)
        ? u.getToImage()
        : u.getFromImage();
  }

  /** True while the upgrade's current step needs every Cinder workload scaled to 0. */
  public boolean servicesStopped(CinderClusterStatus status) {
    UpgradeStatus u = status == null ? null : status.getUpgrade();
    return u != null
        && u.getMode() != null
        && u.getStep() != null
        && routes.of(u.getMode()).stopsServices(u.getStep());
  }

  /** The steps an upgrade to the spec would take from the status, changing nothing. */
  public UpgradePreview preview(
      String cluster,
      CinderClusterSpec spec,
      CinderClusterStatus status,
      List<PodView> pods,
      ReleaseCatalog catalog) {
    return UpgradePreview.of(cluster, spec, status, pods, catalog, routes);
  }

  // --- bookkeeping ------------------------------------------------------------------

  private static NextAct recordStep(PlanContext ctx, Step next) {
    UpgradeStatus u = ctx.draft;
    UpgradeStep previous = u.getStep();
    u.setStep(next.id());
    u.setStepStartedAt(ctx.now().toString());
    u.setInFlight(null);
    u.setInFlightSince(null);
    ctx.apply(next.begin(ctx));
    return NextAct.of(new Action.RecordStep(previous, next.id()));
  }

  private static NextAct complete(PlanContext ctx) {
    UpgradeStatus u = ctx.draft;
    u.setStep(UpgradeStep.Complete);
    u.setStepStartedAt(ctx.now().toString());
    u.setFinishedAt(ctx.now().toString());
    u.setInFlight(null);
    u.setInFlightSince(null);
    return NextAct.of(new Action.Complete(u.getToRelease(), u.getToImage()));
  }

  /** completedSteps/totalSteps, counted along the route and re-derived from the world. */
  private void count(UpgradeStatus u, PlanContext ctx) {
    if (u.getMode() == null || u.getStep() == null) {
      return;
    }
    Route route = routes.of(u.getMode());
    u.setTotalSteps(route.total(ctx.layout));
    u.setCompletedSteps(route.completed(ctx, u.getStep()));
  }

  private static Phase phaseOf(NextAct next) {
    Action a = next.action();
    if (a instanceof Action.Stall) {
      return Phase.Stalled;
    }
    if (next.paused()) {
      return Phase.Paused;
    }
    if (a instanceof Action.Complete) {
      return Phase.Ready;
    }
    return Phase.Upgrading;
  }
}
