package dev.cinderoperator.upgrade.steps;

import dev.cinderoperator.api.Durations;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.upgrade.ClusterLayout;
import dev.cinderoperator.upgrade.NextAct;
import dev.cinderoperator.upgrade.PlanContext;
import dev.cinderoperator.upgrade.PlannedStep;
import dev.cinderoperator.upgrade.PodView;
import dev.cinderoperator.upgrade.ServiceRowAudit;
import dev.cinderoperator.upgrade.StatusChange;
import dev.cinderoperator.upgrade.StepAnswer;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Names;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * RollingApi: the Deployment rolls by itself (maxUnavailable 0) once its template changes; the step
 * waits until it settled, or stalls {@code ApiRolloutStuck} when nothing moved for podReadyTimeout
 * (since the step began or the newest pod on the image was created, whichever is later): quota,
 * admission or scheduling can keep the Deployment from creating pods, which no pod's own gate would
 * catch.
 *
 * @param back a rollback (the first of its steps)
 */
public record ApiRollout(boolean back) implements Step {

  @Override
  public UpgradeStep id() {
    return UpgradeStep.RollingApi;
  }

  /** Forward, the rows may all report the target already: Unpinning then counts from now. */
  @Override
  public StatusChange begin(PlanContext ctx) {
    if (back) {
      return StatusChange.NONE;
    }
    ServiceRowAudit audit = ServiceRowAudit.of(ctx, ctx.targets(), ctx.draft.getToRelease());
    if (audit.foreign.isEmpty()
        && audit.ownStale.isEmpty()
        && audit.ownIncompatible.isEmpty()
        && audit.ownBelowTarget.isEmpty()) {
      String now = ctx.now().toString();
      return u -> u.setRowsAtTargetAt(now);
    }
    return StatusChange.NONE;
  }

  @Override
  public StepAnswer next(PlanContext ctx) {
    return StepAnswer.of(stuck(ctx, ctx.draft.getToImage()), List.of());
  }

  private static Optional<NextAct> stuck(PlanContext ctx, String image) {
    Optional<NextAct> notReady = ApiPods.notReady(ctx, image);
    if (notReady.isPresent()) {
      return notReady;
    }
    Optional<NextAct> rolling = ApiPods.rolling(ctx, image);
    if (rolling.isEmpty()) {
      return rolling;
    }
    Instant since = PlanContext.parseInstant(ctx.draft.getStepStartedAt()).orElse(ctx.now());
    List<String> onOther = new ArrayList<>();
    List<String> terminating = new ArrayList<>();
    for (PodView p : ctx.pods()) {
      if (p.component() != Component.API) {
        continue;
      }
      if (p.terminating()) {
        terminating.add(p.name());
      } else if (!image.equals(p.image())) {
        onOther.add(p.name());
      } else if (p.createdAt() != null && p.createdAt().isAfter(since)) {
        since = p.createdAt();
      }
    }
    Duration timeout = ctx.policy.podReadyTimeoutOrDefault();
    if (!ctx.now().isAfter(since.plus(timeout))) {
      return rolling;
    }
    String pods =
        (onOther.isEmpty() ? "" : "; still on another image: " + String.join(", ", onOther))
            + (terminating.isEmpty() ? "" : "; terminating: " + String.join(", ", terminating));
    String deployment = Names.api(ctx.obs.cluster());
    String text =
        "api: Deployment "
            + deployment
            + " has not progressed to "
            + image
            + " for "
            + Durations.format(timeout)
            + " (podReadyTimeout): "
            + ApiPods.progress(ctx, image)
            + pods;
    return Optional.of(
        PlanContext.stall(
            "ApiRolloutStuck",
            text
                + ". Look at the Deployment and its ReplicaSets (kubectl describe deployment "
                + deployment
                + "): a quota, an admission webhook, scheduling or a finalizer can keep it from"
                + " creating or removing pods. Fix the cause, or revert spec.image to roll back.",
            text));
  }

  @Override
  public boolean movesTemplate(Component c) {
    return c == Component.API;
  }

  @Override
  public int weight(ClusterLayout layout) {
    return layout.apiReplicas();
  }

  @Override
  public int done(PlanContext ctx) {
    return ApiPods.done(ctx, ctx.draft.getToImage());
  }

  @Override
  public PlannedStep preview(PreviewInput in) {
    return new PlannedStep(
        id(),
        "the api Deployment rolls to "
            + in.toImage()
            + " without dropping below "
            + in.layout().apiReplicas()
            + " ready pods",
        List.of(),
        in.apiToRoll());
  }
}
