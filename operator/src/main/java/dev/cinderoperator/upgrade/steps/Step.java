package dev.cinderoperator.upgrade.steps;

import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.upgrade.ClusterLayout;
import dev.cinderoperator.upgrade.PlanContext;
import dev.cinderoperator.upgrade.PlannedStep;
import dev.cinderoperator.upgrade.StatusChange;
import dev.cinderoperator.upgrade.StepAnswer;
import dev.cinderoperator.workload.Component;

/**
 * One step of a {@link Route}: what it does next, what it weighs in the progress count and its line
 * in {@code cinder-operator plan}. Which step follows is the route's business, never the step's.
 */
public interface Step {

  /** The status.upgrade.step this step runs as. */
  UpgradeStep id();

  /** The next act, or done; the status change and Events come with the answer. */
  StepAnswer next(PlanContext ctx);

  /** How many units of completedSteps/totalSteps the step is worth. */
  default int weight(ClusterLayout layout) {
    return 1;
  }

  /** How many of its units are done now, while it is the current step (re-derived). */
  default int done(PlanContext ctx) {
    return 0;
  }

  /** What the step would do, for the preview. */
  PlannedStep preview(PreviewInput in);

  /** Whether the pod template of {@code component} moves to the target image when this begins. */
  default boolean movesTemplate(Component component) {
    return false;
  }

  /** Whether every Cinder workload is scaled to 0 while this step runs. */
  default boolean stopsServices() {
    return false;
  }

  /**
   * Whether spec set back to the source while this step runs still rolls back; false once the step
   * did what the source release cannot run against (unpinned versions, an offline db sync).
   */
  default boolean revertible() {
    return true;
  }

  /** What the status forgets or notes as the step is recorded (after its predecessor finished). */
  default StatusChange begin(PlanContext ctx) {
    return StatusChange.NONE;
  }
}
