package dev.cinderoperator.db;

import dev.cinderoperator.cinder.FailedBackups;
import dev.cinderoperator.cinder.NullUseQuotaRows;
import dev.cinderoperator.cinder.ServiceRow;
import java.time.Instant;
import java.util.Map;

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

  /**
   * Disables the cinder-backup service of the host, as {@code cinder service-disable} does:
   * Cinder's API then sends restores, deletes and imports to other hosts. It does not keep new
   * backups (creates) off the host; only the schedulers decide those (docs/backup-drain.md).
   */
  void stopNewBackups(String host);

  /** Undoes {@link #stopNewBackups(String)} where the operator disabled the host. */
  void allowNewBackups(String host);

  /** Backups of the host still creating, restoring or deleting. */
  int inFlightBackups(String host);

  /** Volumes and snapshots with {@code use_quota} NULL, deleted ones included. */
  NullUseQuotaRows nullUseQuota();

  /** Backups creating, restoring or deleting, per host (hosts with none are left out). */
  Map<String, Integer> inFlightBackupsByHost();

  /**
   * Backups in status error whose row changed at or after {@code since} (the database's clock).
   *
   * @param limit how many of the newest to list
   */
  FailedBackups failedBackupsSince(Instant since, int limit);

  @Override
  void close();
}
