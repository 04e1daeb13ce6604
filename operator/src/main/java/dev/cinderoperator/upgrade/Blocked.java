package dev.cinderoperator.upgrade;

/** Why the planner cannot move on here: the action to return and the text for blockedBy. */
record Blocked(Action action, String blockedBy) {
  static Blocked of(Action action) {
    return new Blocked(action, null);
  }
}
