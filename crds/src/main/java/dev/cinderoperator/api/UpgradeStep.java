package dev.cinderoperator.api;

/** The steps of an upgrade, in the order they run. */
public enum UpgradeStep {
  Preflight,
  SchemaMigration,
  Pinning,
  RollingScheduler,
  RollingVolume,
  RollingBackup,
  RollingApi,
  Unpinning,
  DataMigration,
  Complete;

  /** True for the steps before Unpinning, when a revert can still roll pods back. */
  public boolean beforeUnpinning() {
    return ordinal() < Unpinning.ordinal();
  }
}
