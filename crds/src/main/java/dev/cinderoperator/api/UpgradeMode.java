package dev.cinderoperator.api;

/** How an upgrade runs. */
public enum UpgradeMode {
  /** N to N+1 with mixed versions: services replaced one at a time while pinned. */
  Rolling,
  /** SLURP jump: services stopped, schema migrated, services started on the target. */
  Offline,
  /** Spec reverted to the source before Unpinning: pods go back in reverse order. */
  Rollback
}
