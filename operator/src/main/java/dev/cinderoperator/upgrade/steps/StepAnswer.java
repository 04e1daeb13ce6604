package dev.cinderoperator.upgrade.steps;

import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.upgrade.Decision;
import dev.cinderoperator.upgrade.NextAct;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A step's answer in one pass: the act that moves it on (null when it is done), the Events to tell,
 * and the change to status.upgrade the step itself makes (targets, pins, when the rows reached the
 * target), applied by the planner to the status it writes.
 */
public record StepAnswer(
    NextAct next, List<Decision.Notice> notices, Consumer<UpgradeStatus> change) {

  private static final Consumer<UpgradeStatus> NO_CHANGE = u -> {};

  public StepAnswer {
    notices = List.copyOf(notices);
    change = change == null ? NO_CHANGE : change;
  }

  public static StepAnswer done() {
    return new StepAnswer(null, List.of(), null);
  }

  public static StepAnswer of(NextAct next) {
    return new StepAnswer(next, List.of(), null);
  }

  /** The act when present, else done; with the Events told either way. */
  public static StepAnswer of(Optional<NextAct> next, List<Decision.Notice> notices) {
    return new StepAnswer(next.orElse(null), notices, null);
  }

  public StepAnswer with(Consumer<UpgradeStatus> change) {
    return new StepAnswer(next, notices, this.change.andThen(change));
  }

  public boolean finished() {
    return next == null;
  }
}
