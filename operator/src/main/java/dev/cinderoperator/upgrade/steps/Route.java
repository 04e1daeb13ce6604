package dev.cinderoperator.upgrade.steps;

import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.upgrade.ClusterLayout;
import dev.cinderoperator.upgrade.PlanContext;
import dev.cinderoperator.upgrade.PlannedStep;
import dev.cinderoperator.workload.Component;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The steps of one kind of upgrade, in order: the only place that order is written. The planner
 * moves from step to step along it, the pod templates switch images by it, completedSteps counts
 * along it and {@code cinder-operator plan} prints it.
 *
 * @param mode the status.upgrade.mode that runs this route
 * @param steps in order; each status.upgrade.step at most once
 */
public record Route(UpgradeMode mode, List<Step> steps) {

  public Route {
    steps = List.copyOf(steps);
  }

  /** The step recorded as status.upgrade.step, if this route has it. */
  public Optional<Step> step(UpgradeStep id) {
    return steps.stream().filter(s -> s.id() == id).findFirst();
  }

  public Step first() {
    return steps.get(0);
  }

  /** The step after {@code step}; empty after the last one (the upgrade completes). */
  public Optional<Step> after(Step step) {
    int i = steps.indexOf(step);
    return i + 1 < steps.size() ? Optional.of(steps.get(i + 1)) : Optional.empty();
  }

  /**
   * Where to go on when the status names a step this route does not have: the first of the route's
   * steps that comes later in {@link UpgradeStep}'s order, else its first step.
   */
  public Step resumeAfter(UpgradeStep stray) {
    return steps.stream()
        .filter(s -> s.id().ordinal() > stray.ordinal())
        .findFirst()
        .orElse(first());
  }

  /** totalSteps: what every step weighs. */
  public int total(ClusterLayout layout) {
    return steps.stream().mapToInt(s -> s.weight(layout)).sum();
  }

  /** completedSteps: the weight of the steps before {@code current}, and what is done of it. */
  public int completed(PlanContext ctx, UpgradeStep current) {
    if (current == UpgradeStep.Complete) {
      return total(ctx.layout);
    }
    int n = 0;
    for (Step s : steps) {
      if (s.id() == current) {
        return Math.min(total(ctx.layout), n + s.done(ctx));
      }
      n += s.weight(ctx.layout);
    }
    return n;
  }

  /**
   * Whether {@code component}'s pod template carries the target image at {@code current}: from the
   * step that moves it on, or from the start when no step does.
   */
  public boolean templateMoved(UpgradeStep current, Component component) {
    int moves = 0;
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).movesTemplate(component)) {
        moves = i;
        break;
      }
    }
    int at = step(current).map(steps::indexOf).orElse(-1);
    return moves == 0 || (at >= 0 && at >= moves);
  }

  /**
   * Whether spec set back to the source at {@code current} rolls back: no step so far forbids it.
   */
  public boolean revertible(UpgradeStep current) {
    for (Step s : steps) {
      if (!s.revertible()) {
        return false;
      }
      if (s.id() == current) {
        return true;
      }
    }
    return false;
  }

  /** Whether every Cinder workload is scaled to 0 at {@code current}. */
  public boolean stopsServices(UpgradeStep current) {
    return step(current).map(Step::stopsServices).orElse(false);
  }

  /** The preview: every step's line in order, then Complete. */
  public List<PlannedStep> preview(PreviewInput in) {
    List<PlannedStep> lines = new ArrayList<>();
    steps.forEach(s -> lines.add(s.preview(in)));
    lines.add(
        new PlannedStep(
            UpgradeStep.Complete,
            "status.release becomes " + in.spec().getRelease(),
            List.of(),
            List.of()));
    return lines;
  }
}
