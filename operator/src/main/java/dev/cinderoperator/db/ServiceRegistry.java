package dev.cinderoperator.db;

import dev.cinderoperator.cinder.NullUseQuotaRows;
import dev.cinderoperator.cinder.ServiceRow;

/**
 * The operator's view of, and its few writes to, one Cinder database's services and backups tables.
 * The JDBC implementation talks to the real MariaDB/MySQL; the simulated cluster has an in-memory
 * one. Every method throws {@link DatabaseUnavailableException} when the database cannot be
 * reached.
 */
public interface ServiceRegistry extends AutoCloseable {

  /** Every non-deleted services row, with the database's clock at the time of the read. */
  ServicesSnapshot read();

  /**
   * Soft-deletes one row exactly as {@code cinder-manage service remove} does, then reads back.
   *
   * @return true when the row is now deleted (or was already gone)
   */
  boolean remove(ServiceRow row);

  /** Keeps new backups off a cinder-backup host (see docs/backup-drain.md for what works). */
  void stopNewBackups(String host);

  /** Undoes {@link #stopNewBackups(String)}. */
  void allowNewBackups(String host);

  /** Backups of the host still creating, restoring or deleting. */
  int inFlightBackups(String host);

  /** Volumes and snapshots with {@code use_quota} NULL, deleted ones included. */
  NullUseQuotaRows nullUseQuota();

  @Override
  void close();
}
