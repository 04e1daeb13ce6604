package dev.cinderoperator.upgrade;

/**
 * What a step does next, when it cannot finish in this pass: the action, the text for
 * status.upgrade.blockedBy, and whether it holds because spec.upgrade.paused asks it to (the phase
 * Paused, not Upgrading).
 */
public record NextAct(Action action, String blockedBy, boolean paused) {

  public NextAct(Action action, String blockedBy) {
    this(action, blockedBy, false);
  }

  /** An act that blocks nothing (status-only records). */
  public static NextAct of(Action action) {
    return new NextAct(action, null);
  }
}
