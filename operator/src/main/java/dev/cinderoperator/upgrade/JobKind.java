package dev.cinderoperator.upgrade;

import dev.cinderoperator.workload.Component;

/** The jobs an upgrade runs. */
public enum JobKind {
  /** Reports the RPC and object versions the target image's code carries. */
  VERSION_PROBE(Component.VERSION_PROBE),
  /** {@code cinder-status upgrade check} on the target image. */
  UPGRADE_CHECK(Component.UPGRADE_CHECK),
  /**
   * {@code cinder-manage db online_data_migrations} on the CURRENT image, in Preflight: the running
   * release's data migrations must be finished before the next release's db sync.
   */
  PRE_DATA_MIGRATION(Component.DATA_MIGRATION),
  /** {@code cinder-manage db sync} on the target image (never {@code --bump-versions}). */
  DB_SYNC(Component.DB_SYNC),
  /** {@code cinder-manage db online_data_migrations --max_count N} on the target image. */
  DATA_MIGRATION(Component.DATA_MIGRATION);

  private final Component component;

  JobKind(Component component) {
    this.component = component;
  }

  /** The {@code app.kubernetes.io/component} of the job. */
  public Component component() {
    return component;
  }
}
