package dev.cinderoperator.upgrade;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A step's answer in one pass, and the part of it a helper gives: the act that moves it on (null
 * when it is done), the Events to tell, and the change to status.upgrade that holds whether or not
 * it is done (targets, pins, when the rows reached the target, a measured gap), and the backup
 * hosts every scheduler must skip as of this pass. The act carries its own change ({@link
 * NextAct#change()}). The planner applies both, this one first; nothing else writes the status.
 */
public record StepAnswer(
    NextAct next, List<Decision.Notice> notices, StatusChange change, Set<String> keptOff) {

  public StepAnswer {
    notices = List.copyOf(notices);
    change = change == null ? StatusChange.NONE : change;
    keptOff = keptOff == null ? Set.of() : Collections.unmodifiableSet(keptOff);
  }

  public StepAnswer(NextAct next, List<Decision.Notice> notices, StatusChange change) {
    this(next, notices, change, null);
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
    return new StepAnswer(next, notices, change.then(more), keptOff);
  }

  /** The same answer, asking also that the schedulers skip {@code hosts}. */
  public StepAnswer keepingOff(Collection<String> hosts) {
    if (hosts.isEmpty()) {
      return this;
    }
    Set<String> all = new LinkedHashSet<>(keptOff);
    all.addAll(hosts);
    return new StepAnswer(next, notices, change, all);
  }

  /** This answer's Events, change and hosts kept off, then {@code later}'s, with its act. */
  public StepAnswer then(StepAnswer later) {
    List<Decision.Notice> all = new ArrayList<>(notices);
    all.addAll(later.notices);
    return new StepAnswer(later.next, all, change.then(later.change), keptOff)
        .keepingOff(later.keptOff);
  }

  public boolean finished() {
    return next == null;
  }
}
