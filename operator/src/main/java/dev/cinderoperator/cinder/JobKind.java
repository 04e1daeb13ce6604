package dev.cinderoperator.cinder;

/** The Cinder tools the operator runs as Jobs; each reports through its exit code. */
public enum JobKind {
  VERSION_PROBE,
  UPGRADE_CHECK,
  DB_SYNC,
  ONLINE_DATA_MIGRATIONS
}
