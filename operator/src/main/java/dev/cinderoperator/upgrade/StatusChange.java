package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.UpgradeStatus;

/**
 * A change to status.upgrade that a step or one of its helpers answers with; only the planner
 * applies it, to the status it writes. Changes compose in the order they were decided.
 */
@FunctionalInterface
public interface StatusChange {

  /** No change: the planner then creates no status.upgrade where there was none. */
  StatusChange NONE = u -> {};

  void applyTo(UpgradeStatus upgrade);

  /** This change, then {@code next}. */
  default StatusChange then(StatusChange next) {
    if (next == NONE) {
      return this;
    }
    if (this == NONE) {
      return next;
    }
    return u -> {
      applyTo(u);
      next.applyTo(u);
    };
  }
}
