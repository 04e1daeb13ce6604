package dev.cinderoperator.upgrade.steps;

import static dev.cinderoperator.upgrade.PlanContext.RECHECK_POD;

import dev.cinderoperator.upgrade.NextAct;
import dev.cinderoperator.upgrade.PlanContext;
import dev.cinderoperator.upgrade.PodGate;
import dev.cinderoperator.upgrade.PodView;
import dev.cinderoperator.workload.Component;
import java.util.List;
import java.util.Optional;

/** Where the API Deployment's pods are, as the API rollout and Unpinning wait for them. */
final class ApiPods {
  private ApiPods() {}

  /** API pods: as many as the spec asks for, every one on the image and Ready. */
  static Optional<NextAct> settled(PlanContext ctx, String image) {
    return notReady(ctx, image).or(() -> rolling(ctx, image));
  }

  /** The gate of the first pod on the image that is not Ready yet. */
  static Optional<NextAct> notReady(PlanContext ctx, String image) {
    for (PodView p : ctx.liveApiPods()) {
      if (image.equals(p.image())) {
        Optional<NextAct> gate = PodGate.ready(ctx, p);
        if (gate.isPresent()) {
          return gate;
        }
      }
    }
    return Optional.empty();
  }

  /** The wait while the Deployment still replaces pods (fewer on the image than asked for). */
  static Optional<NextAct> rolling(PlanContext ctx, String image) {
    List<PodView> live = ctx.liveApiPods();
    long onImage = live.stream().filter(p -> image.equals(p.image())).count();
    boolean terminating =
        ctx.pods().stream().anyMatch(p -> p.component() == Component.API && p.terminating());
    if (onImage < live.size() || onImage < ctx.layout.apiReplicas() || terminating) {
      return Optional.of(
          PlanContext.waiting("WaitingForApiRollout", "api: " + progress(ctx, image), RECHECK_POD));
    }
    return Optional.empty();
  }

  static String progress(PlanContext ctx, String image) {
    long onImage = ctx.liveApiPods().stream().filter(p -> image.equals(p.image())).count();
    return onImage + " of " + ctx.layout.apiReplicas() + " pods run " + image + " and are Ready";
  }

  /** API pods on the image and Ready, at most as many as the spec asks for. */
  static int done(PlanContext ctx, String image) {
    long n = ctx.liveApiPods().stream().filter(p -> p.ready() && image.equals(p.image())).count();
    return (int) Math.min(n, ctx.layout.apiReplicas());
  }
}
