package dev.cinderoperator.api;

/** What happens when a backup host still has backups in flight after backupDrainTimeout. */
public enum BackupDrainTimeoutAction {
  /** Stop the upgrade and wait for a person (default: in-flight backups would be lost). */
  Stall,
  /** Replace the pod anyway; Cinder marks its unfinished backups as error. */
  Proceed
}
