package dev.cinderoperator.upgrade;

/**
 * What a step does next, when it cannot finish in this pass: the action, the text for
 * status.upgrade.blockedBy, whether it holds because spec.upgrade.paused asks it to (the phase
 * Paused, not Upgrading), and what status.upgrade must record with it (the act in flight, a
 * heartbeat baseline), written before the action is performed.
 */
public record NextAct(Action action, String blockedBy, boolean paused, StatusChange change) {

  public NextAct {
    change = change == null ? StatusChange.NONE : change;
  }

  public NextAct(Action action, String blockedBy, boolean paused) {
    this(action, blockedBy, paused, StatusChange.NONE);
  }

  public NextAct(Action action, String blockedBy) {
    this(action, blockedBy, false);
  }

  /** An act that blocks nothing (status-only records). */
  public static NextAct of(Action action) {
    return new NextAct(action, null);
  }

  /** The same act, recording {@code more} after what it records already. */
  public NextAct with(StatusChange more) {
    return new NextAct(action, blockedBy, paused, change.then(more));
  }
}
