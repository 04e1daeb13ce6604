package dev.cinderoperator.upgrade;

import dev.cinderoperator.cinder.JobKind;
import dev.cinderoperator.workload.Component;

/**
 * The jobs an upgrade runs: which Cinder tool each runs ({@link JobKind}, whose exit codes {@link
 * dev.cinderoperator.cinder.JobOutcome} reads) and on which image.
 */
public enum UpgradeJob {
  /** Reports the RPC and object versions the target image's code carries. */
  VERSION_PROBE(Component.VERSION_PROBE, JobKind.VERSION_PROBE),
  /** {@code cinder-status upgrade check} on the target image. */
  UPGRADE_CHECK(Component.UPGRADE_CHECK, JobKind.UPGRADE_CHECK),
  /**
   * {@code cinder-manage db online_data_migrations} on the CURRENT image, in Preflight: the running
   * release's data migrations must be finished before the next release's db sync.
   */
  PRE_DATA_MIGRATION(Component.DATA_MIGRATION, JobKind.ONLINE_DATA_MIGRATIONS),
  /** {@code cinder-manage db sync} on the target image (never {@code --bump-versions}). */
  DB_SYNC(Component.DB_SYNC, JobKind.DB_SYNC),
  /** {@code cinder-manage db online_data_migrations --max_count N} on the target image. */
  DATA_MIGRATION(Component.DATA_MIGRATION, JobKind.ONLINE_DATA_MIGRATIONS);

  private final Component component;
  private final JobKind tool;

  UpgradeJob(Component component, JobKind tool) {
    this.component = component;
    this.tool = tool;
  }

  /** The {@code app.kubernetes.io/component} of the job. */
  public Component component() {
    return component;
  }

  /** The Cinder tool the job runs. */
  public JobKind tool() {
    return tool;
  }
}
