package dev.cinderoperator.upgrade.steps;

import static dev.cinderoperator.upgrade.PlanContext.RECHECK_POD;

import dev.cinderoperator.upgrade.ClusterLayout;
import dev.cinderoperator.upgrade.NextAct;
import dev.cinderoperator.upgrade.PlanContext;
import dev.cinderoperator.upgrade.PodGate;
import dev.cinderoperator.upgrade.PodView;
import java.util.Optional;

/**
 * The gate after a route's last step, before Complete: every scheduler, volume and backup pod is
 * there, on the target image, and its service still works (its gate again: versions, a heartbeat
 * since its start, up now).
 */
public final class EveryServiceWorks {
  private EveryServiceWorks() {}

  public static Optional<NextAct> blocker(PlanContext ctx) {
    String image = ctx.draft.getToImage();
    for (ClusterLayout.Slot slot : ctx.layout.forward()) {
      PodView p = ctx.pod(slot.pod());
      if (p == null || p.terminating() || !image.equals(p.image())) {
        return Optional.of(
            PlanContext.waiting(
                "WaitingForPod",
                "pod "
                    + slot.pod()
                    + (p == null
                        ? " is missing"
                        : p.terminating() ? " is terminating" : " runs " + p.image())
                    + " (before completing)",
                RECHECK_POD));
      }
      Optional<NextAct> gate =
          PodGate.check(ctx, p, slot, ctx.targets().isEmpty() ? null : ctx.targets());
      if (gate.isPresent()) {
        return gate;
      }
    }
    return Optional.empty();
  }
}
