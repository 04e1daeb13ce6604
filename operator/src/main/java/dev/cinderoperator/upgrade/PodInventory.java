package dev.cinderoperator.upgrade;

import static dev.cinderoperator.upgrade.PlanContext.RECHECK_POD;

import dev.cinderoperator.workload.Component;
import java.util.List;
import java.util.Optional;

/**
 * The one-at-a-time invariant: no pod is replaced while any other pod of any component is missing,
 * not Ready or terminating.
 */
public final class PodInventory {
  private PodInventory() {}

  /** What stops the pod {@code acting} from being replaced now, if anything. */
  public static Optional<NextAct> blocker(PlanContext ctx, String acting) {
    String why = " (before replacing " + acting + ")";
    for (ClusterLayout.Slot slot : ctx.layout.forward()) {
      if (slot.pod().equals(acting)) {
        continue;
      }
      PodView p = ctx.pod(slot.pod());
      if (p == null) {
        return Optional.of(
            PlanContext.waiting(
                "WaitingForPod", "pod " + slot.pod() + " is missing" + why, RECHECK_POD));
      }
      Optional<NextAct> b = podBlocker(ctx, p, why);
      if (b.isPresent()) {
        return b;
      }
    }
    for (PodView p : ctx.pods()) {
      if (p.terminating() && !p.name().equals(acting)) {
        return Optional.of(
            PlanContext.waiting(
                "WaitingForPod", "pod " + p.name() + " is terminating" + why, RECHECK_POD));
      }
    }
    List<PodView> api = ctx.liveApiPods();
    for (PodView p : api) {
      if (p.name().equals(acting)) {
        continue;
      }
      Optional<NextAct> b = podBlocker(ctx, p, why);
      if (b.isPresent()) {
        return b;
      }
    }
    int expected = ctx.layout.apiReplicas();
    long others = api.stream().filter(p -> !p.name().equals(acting)).count();
    boolean actingIsApi =
        api.stream().anyMatch(p -> p.name().equals(acting) && p.component() == Component.API);
    if (others + (actingIsApi ? 1 : 0) < expected) {
      return Optional.of(
          PlanContext.waiting(
              "WaitingForPod",
              "api has " + api.size() + " of " + expected + " pods" + why,
              RECHECK_POD));
    }
    return Optional.empty();
  }

  private static Optional<NextAct> podBlocker(PlanContext ctx, PodView p, String why) {
    if (p.terminating()) {
      return Optional.of(
          PlanContext.waiting(
              "WaitingForPod", "pod " + p.name() + " is terminating" + why, RECHECK_POD));
    }
    if (!p.ready()) {
      Optional<NextAct> gate = PodGate.ready(ctx, p);
      if (gate.isPresent() && gate.get().action() instanceof Action.Stall) {
        return gate;
      }
      return Optional.of(
          PlanContext.waiting(
              "WaitingForPodReady", "pod " + p.name() + " is not Ready" + why, RECHECK_POD));
    }
    return Optional.empty();
  }
}
