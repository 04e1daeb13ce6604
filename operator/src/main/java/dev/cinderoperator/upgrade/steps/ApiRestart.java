package dev.cinderoperator.upgrade.steps;

import dev.cinderoperator.upgrade.Action;
import dev.cinderoperator.upgrade.NextAct;
import dev.cinderoperator.upgrade.PlanContext;
import dev.cinderoperator.upgrade.PodView;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Which cinder-api pods may still hold the version pins they read at start, and when they may be
 * restarted. cinder-api reads the pins once and ignores SIGHUP, so a pod that started before every
 * services row reached the target ({@code status.upgrade.rowsAtTargetAt}) must restart. Kubernetes
 * stamps a pod's start in whole seconds: a pod stamped with the rows' second may have started just
 * before them, so it counts as early, and its restart waits until the operator's clock has left
 * that second. Every pod the restart creates then starts in a later second and never looks early,
 * so the restart is made once (the executor rolls the Deployment once per rowsAtTargetAt value).
 *
 * <p>One route knows more: when the rows were at the target before this step began, RollingApi
 * recorded it as it began and only then moved the Deployment's template to the target, so every API
 * pod on the target started after the rows got there, even one stamped with their second. Only pods
 * stamped with an earlier second restart, at once.
 *
 * @param reached when every row reached the target
 * @param templateMovedAfter the API's template moved to the target after {@code reached}
 */
record ApiRestart(Instant reached, boolean templateMovedAfter) {

  static ApiRestart of(PlanContext ctx, Instant reached) {
    boolean before =
        PlanContext.parseInstant(ctx.draft.getStepStartedAt()).map(reached::isBefore).orElse(false);
    return new ApiRestart(reached, before);
  }

  /** Whether the pod may have read the versions before every row reported the target. */
  boolean early(PodView p) {
    Instant started = p.startedAt() != null ? p.startedAt() : p.createdAt();
    if (started == null) {
      return false;
    }
    Instant second = reachedSecond();
    return templateMovedAfter
        ? started.isBefore(second)
        : !started.truncatedTo(ChronoUnit.SECONDS).isAfter(second);
  }

  /** The wait until the clock has left the rows' second, while a restart would start in it. */
  Optional<NextAct> tooSoon(PlanContext ctx) {
    Instant secondEnds = reachedSecond().plusSeconds(1);
    if (templateMovedAfter || !ctx.now().isBefore(secondEnds)) {
      return Optional.empty();
    }
    String text =
        "api: restarting the pods that may have started before every service reported the target"
            + " once the second "
            + reachedSecond()
            + " has passed, so that their successors start after it";
    return Optional.of(
        new NextAct(
            new Action.Wait(
                "WaitingForApiRestart", text, Duration.between(ctx.now(), secondEnds), false),
            text));
  }

  private Instant reachedSecond() {
    return reached.truncatedTo(ChronoUnit.SECONDS);
  }
}
