package dev.cinderoperator.db;

import dev.cinderoperator.cinder.FailedBackupRow;
import dev.cinderoperator.cinder.FailedBackups;
import dev.cinderoperator.cinder.NullUseQuotaRows;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.cinder.SqlAlchemyUrl;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mariadb.jdbc.MariaDbDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services and backups tables of one Cinder database over MariaDB Connector/J.
 *
 * <p>Cinder stores naive UTC datetimes ({@code timeutils.utcnow()}) in DATETIME columns, so values
 * are read as {@link LocalDateTime} and taken as UTC, and "now" is the database's {@code
 * UTC_TIMESTAMP()}: neither the JVM's nor the server's time zone matters. Writes are the same
 * statements Cinder's own code issues and are logged; no message carries credentials.
 */
public final class JdbcServiceRegistry implements ServiceRegistry {
  /** The {@code disabled_reason} the operator writes, so it re-enables only what it disabled. */
  public static final String DISABLED_REASON = "cinder-operator: upgrading";

  /**
   * {@code BackupStatus} values of work in progress on the backup host (cinder/objects/fields.py).
   */
  static final List<String> IN_FLIGHT_BACKUP_STATUSES =
      List.of("creating", "restoring", "deleting");

  private static final Logger LOG = LoggerFactory.getLogger(JdbcServiceRegistry.class);
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  // One round trip: the database clock comes back even when the table is empty.
  private static final String READ =
      "SELECT n.db_now, s.id, s.`binary`, s.host, s.cluster_name, s.rpc_current_version,"
          + " s.object_current_version, s.disabled, s.created_at, s.updated_at, s.report_count,"
          + " s.uuid"
          + " FROM (SELECT UTC_TIMESTAMP(6) AS db_now) n"
          + " LEFT JOIN services s ON s.deleted = 0"
          + " ORDER BY s.id";

  // service_destroy: query.update({deleted, deleted_at}); SQLAlchemy's onupdate bumps updated_at.
  private static final String SOFT_DELETE =
      "UPDATE services SET deleted = 1, deleted_at = UTC_TIMESTAMP(), updated_at = UTC_TIMESTAMP()"
          + " WHERE id = ? AND `binary` = ? AND host = ? AND deleted = 0";

  private static final String IS_DELETED = "SELECT deleted FROM services WHERE id = ?";

  // service_update with 'disabled': sets modified_at and keeps updated_at (no fake heartbeat).
  private static final String DISABLE_BACKUP =
      "UPDATE services SET disabled = 1, disabled_reason = ?, modified_at = UTC_TIMESTAMP()"
          + " WHERE `binary` = 'cinder-backup' AND host = ? AND deleted = 0 AND disabled = 0";

  // Both take the operator's disabled_reason first, then the host.
  private static final String ENABLE_BACKUP =
      "UPDATE services SET disabled = 0, disabled_reason = NULL, modified_at = UTC_TIMESTAMP()"
          + " WHERE disabled_reason = ? AND `binary` = 'cinder-backup' AND host = ?"
          + " AND deleted = 0 AND disabled = 1";

  private static final String COUNT_IN_FLIGHT =
      "SELECT COUNT(*) FROM backups WHERE host = ? AND deleted = 0 AND status IN ("
          + String.join(", ", IN_FLIGHT_BACKUP_STATUSES.stream().map(s -> "?").toList())
          + ")";

  // Deleted rows included: those are what the 2023.1/2023.2 data migrations skipped.
  private static final String COUNT_NULL_USE_QUOTA =
      "SELECT (SELECT COUNT(*) FROM volumes WHERE use_quota IS NULL),"
          + " (SELECT COUNT(*) FROM snapshots WHERE use_quota IS NULL)";
  private static final String IN_FLIGHT_BY_HOST =
      "SELECT host, COUNT(*) FROM backups WHERE deleted = 0 AND host IS NOT NULL AND status IN ("
          + String.join(", ", IN_FLIGHT_BACKUP_STATUSES.stream().map(s -> "?").toList())
          + ") GROUP BY host";

  // update_backup_error saves status and fail_reason; the ORM bumps updated_at.
  private static final String COUNT_FAILED =
      "SELECT COUNT(*) FROM backups WHERE deleted = 0 AND status = 'error' AND updated_at >= ?";

  private static final String NEWEST_FAILED =
      "SELECT id, host, fail_reason, updated_at FROM backups"
          + " WHERE deleted = 0 AND status = 'error' AND updated_at >= ?"
          + " ORDER BY updated_at DESC, id LIMIT ?";

  private final SmallConnectionPool pool;
  private final String location;
  private final String password;

  public JdbcServiceRegistry(SqlAlchemyUrl url) {
    this(url, DEFAULT_TIMEOUT);
  }

  /**
   * @param timeout bounds connecting and each statement (Connector/J connectTimeout/socketTimeout)
   */
  public JdbcServiceRegistry(SqlAlchemyUrl url, Duration timeout) {
    this.location = url.host() + ":" + url.port() + "/" + url.database();
    this.password = url.password();
    long ms = timeout.toMillis();
    MariaDbDataSource source = new MariaDbDataSource();
    try {
      source.setUrl(url.jdbcUrl() + "?connectTimeout=" + ms + "&socketTimeout=" + ms);
      source.setUser(url.user());
      source.setPassword(url.password());
    } catch (SQLException e) {
      throw new IllegalArgumentException(
          "cannot build a JDBC connection to " + location + ": " + scrub(e.getMessage()));
    }
    this.pool =
        new SmallConnectionPool(source, 2, (int) Math.max(1, Math.min(timeout.toSeconds(), 5)));
  }

  @Override
  public ServicesSnapshot read() {
    return withConnection(
        "read the services table",
        c -> {
          try (PreparedStatement st = c.prepareStatement(READ);
              ResultSet rs = st.executeQuery()) {
            Instant now = null;
            List<ServiceRow> rows = new ArrayList<>();
            while (rs.next()) {
              now = utc(rs, "db_now");
              if (rs.getObject("id") != null) {
                rows.add(row(rs));
              }
            }
            if (now == null) {
              throw new SQLException("the database returned no clock", "HY000");
            }
            return new ServicesSnapshot(now, rows);
          }
        });
  }

  private static ServiceRow row(ResultSet rs) throws SQLException {
    return new ServiceRow(
        rs.getLong("id"),
        rs.getString("binary"),
        rs.getString("host"),
        rs.getString("cluster_name"),
        rs.getString("rpc_current_version"),
        rs.getString("object_current_version"),
        rs.getBoolean("disabled"),
        utc(rs, "created_at"),
        utc(rs, "updated_at"),
        rs.getInt("report_count"),
        rs.getString("uuid"));
  }

  private static Instant utc(ResultSet rs, String column) throws SQLException {
    LocalDateTime t = rs.getObject(column, LocalDateTime.class);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }

  @Override
  public boolean remove(ServiceRow row) {
    return withConnection(
        "remove a services row",
        c -> {
          int changed;
          try (PreparedStatement st = c.prepareStatement(SOFT_DELETE)) {
            st.setLong(1, row.id());
            st.setString(2, row.binary());
            st.setString(3, row.host());
            changed = st.executeUpdate();
          }
          boolean gone;
          try (PreparedStatement st = c.prepareStatement(IS_DELETED)) {
            st.setLong(1, row.id());
            try (ResultSet rs = st.executeQuery()) {
              gone = !rs.next() || rs.getBoolean(1);
            }
          }
          if (changed > 0) {
            LOG.info(
                "Soft-deleted services row {} ({} on {}), as cinder-manage service remove does;"
                    + " read back deleted={}",
                row.id(),
                row.binary(),
                row.host(),
                gone);
          } else {
            LOG.info(
                "Services row {} ({} on {}) was not changed: already deleted or no longer that"
                    + " service; read back deleted={}",
                row.id(),
                row.binary(),
                row.host(),
                gone);
          }
          return gone;
        });
  }

  @Override
  public void stopNewBackups(String host) {
    updateBackupHost(
        "disable a cinder-backup service",
        DISABLE_BACKUP,
        host,
        "Disabled cinder-backup",
        "a row disabled by someone else is left as it is");
  }

  @Override
  public void allowNewBackups(String host) {
    updateBackupHost(
        "enable a cinder-backup service",
        ENABLE_BACKUP,
        host,
        "Enabled cinder-backup",
        "only rows the operator disabled are enabled");
  }

  private void updateBackupHost(String what, String sql, String host, String done, String note) {
    withConnection(
        what,
        c -> {
          try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, DISABLED_REASON);
            st.setString(2, host);
            int changed = st.executeUpdate();
            LOG.info("{} on {} ({} row(s) changed; {})", done, host, changed, note);
          }
          return null;
        });
  }

  @Override
  public int inFlightBackups(String host) {
    return withConnection(
        "count in-flight backups",
        c -> {
          try (PreparedStatement st = c.prepareStatement(COUNT_IN_FLIGHT)) {
            st.setString(1, host);
            for (int i = 0; i < IN_FLIGHT_BACKUP_STATUSES.size(); i++) {
              st.setString(i + 2, IN_FLIGHT_BACKUP_STATUSES.get(i));
            }
            try (ResultSet rs = st.executeQuery()) {
              rs.next();
              return rs.getInt(1);
            }
          }
        });
  }

  @Override
  public NullUseQuotaRows nullUseQuota() {
    return withConnection(
        "count NULL use_quota",
        c -> {
          try (PreparedStatement st = c.prepareStatement(COUNT_NULL_USE_QUOTA);
              ResultSet rs = st.executeQuery()) {
            rs.next();
            return new NullUseQuotaRows(rs.getLong(1), rs.getLong(2));
          }
        });
  }

  @Override
  public Map<String, Integer> inFlightBackupsByHost() {
    return withConnection(
        "count in-flight backups",
        c -> {
          try (PreparedStatement st = c.prepareStatement(IN_FLIGHT_BY_HOST)) {
            for (int i = 0; i < IN_FLIGHT_BACKUP_STATUSES.size(); i++) {
              st.setString(i + 1, IN_FLIGHT_BACKUP_STATUSES.get(i));
            }
            Map<String, Integer> counts = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery()) {
              while (rs.next()) {
                counts.put(rs.getString(1), rs.getInt(2));
              }
            }
            return counts;
          }
        });
  }

  @Override
  public FailedBackups failedBackupsSince(Instant since, int limit) {
    LocalDateTime from = LocalDateTime.ofInstant(since, ZoneOffset.UTC);
    return withConnection(
        "read backups in error",
        c -> {
          int count;
          try (PreparedStatement st = c.prepareStatement(COUNT_FAILED)) {
            st.setObject(1, from);
            try (ResultSet rs = st.executeQuery()) {
              rs.next();
              count = rs.getInt(1);
            }
          }
          List<FailedBackupRow> newest = new ArrayList<>();
          if (count > 0 && limit > 0) {
            try (PreparedStatement st = c.prepareStatement(NEWEST_FAILED)) {
              st.setObject(1, from);
              st.setInt(2, limit);
              try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                  newest.add(
                      new FailedBackupRow(
                          rs.getString("id"),
                          rs.getString("host"),
                          rs.getString("fail_reason"),
                          utc(rs, "updated_at")));
                }
              }
            }
          }
          return new FailedBackups(count, newest);
        });
  }

  @Override
  public void close() {
    pool.close();
  }

  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T withConnection(String what, Work<T> work) {
    Connection c;
    try {
      c = pool.borrow();
    } catch (SQLException e) {
      throw unavailable(what, e);
    }
    boolean healthy = false;
    try {
      T result = work.run(c);
      healthy = true;
      return result;
    } catch (SQLException e) {
      throw unavailable(what, e);
    } finally {
      pool.giveBack(c, healthy);
    }
  }

  private DatabaseUnavailableException unavailable(String what, SQLException e) {
    String reason = scrub(e.getMessage());
    SQLException clean = new SQLException(reason, e.getSQLState(), e.getErrorCode());
    clean.setStackTrace(e.getStackTrace());
    return new DatabaseUnavailableException(
        "cannot "
            + what
            + " in the Cinder database at "
            + location
            + " (SQLState "
            + e.getSQLState()
            + "): "
            + reason,
        clean);
  }

  /** Belt and braces: Connector/J does not echo passwords, but a message never carries one. */
  private String scrub(String message) {
    if (message == null) {
      return "no detail";
    }
    return password == null || password.isEmpty() ? message : message.replace(password, "***");
  }
}
