package dev.cinderoperator.upgrade;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A step's answer in one pass, and the part of it a helper gives: the act that moves it on (null
 * when it is done), the Events to tell, and the change to status.upgrade that holds whether or not
 * it is done (targets, pins, when the rows reached the target, a measured gap). The act carries its
 * own change ({@link NextAct#change()}). The planner applies both, this one first; nothing else
 * writes the status.
 */
public record StepAnswer(NextAct next, List<Decision.Notice> notices, StatusChange change) {

  public StepAnswer {
    notices = List.copyOf(notices);
    change = change == null ? StatusChange.NONE : change;
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

  public StepAnswer with(StatusChange more) {
    return new StepAnswer(next, notices, change.then(more));
  }

  /** This answer's Events and change, then {@code later}'s, with {@code later}'s act. */
  public StepAnswer then(StepAnswer later) {
    List<Decision.Notice> all = new ArrayList<>(notices);
    all.addAll(later.notices);
    return new StepAnswer(later.next, all, change.then(later.change));
  }

  public boolean finished() {
    return next == null;
  }
}
