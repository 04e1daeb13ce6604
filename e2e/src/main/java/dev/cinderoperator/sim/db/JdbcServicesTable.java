package dev.cinderoperator.sim.db;

import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.cinder.SqlAlchemyUrl;
import dev.cinderoperator.db.DatabaseUnavailableException;
import dev.cinderoperator.db.JdbcServiceRegistry;
import dev.cinderoperator.sim.events.SimEvent.ServiceRowEvent;
import dev.cinderoperator.sim.events.SimEvent.ServiceRowEvent.Change;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One CinderCluster's services table in a real MariaDB, written by simulated Cinder processes with
 * the statements {@code cinder/service.py} issues (through oslo.versionedobjects): the same
 * semantics as the in-memory table, Cinder's own schema, the database's UTC clock. Reads go through
 * the operator's {@link JdbcServiceRegistry}, so both sides parse rows the same way.
 */
public final class JdbcServicesTable implements SimServicesTable, AutoCloseable {
  private static final String FIND =
      "SELECT id, cluster_name FROM services WHERE host = ? AND `binary` = ? AND deleted = 0"
          + " ORDER BY id LIMIT 1";

  // Service.__init__ on an existing row: versions (and a missing cluster_name) saved.
  private static final String UPDATE_VERSIONS =
      "UPDATE services SET rpc_current_version = ?, object_current_version = ?,"
          + " cluster_name = COALESCE(cluster_name, ?), updated_at = UTC_TIMESTAMP() WHERE id = ?";

  // A row as a test wants it (stale, version-less, of an old release).
  private static final String INSERT =
      "INSERT INTO services (created_at, updated_at, deleted, host, `binary`, topic, report_count,"
          + " disabled, availability_zone, rpc_current_version, object_current_version,"
          + " replication_status, frozen, active_backend_id, cluster_name, uuid)"
          + " VALUES (COALESCE(?, UTC_TIMESTAMP()), ?, 0, ?, ?, ?, ?, ?, 'nova', ?, ?,"
          + " 'not-capable', 0, NULL, ?, ?)";

  // _create_service_ref: topic = binary, report_count 0, availability zone 'nova'; created_at and
  // updated_at both default to utcnow (models.py), so a new row is stamped but not counted.
  private static final String CREATE =
      "INSERT INTO services (created_at, updated_at, deleted, host, `binary`, topic, report_count,"
          + " disabled, availability_zone, rpc_current_version, object_current_version,"
          + " replication_status, frozen, active_backend_id, cluster_name, uuid)"
          + " VALUES (COALESCE(?, UTC_TIMESTAMP()), COALESCE(?, UTC_TIMESTAMP()), 0, ?, ?, ?, ?, ?,"
          + " 'nova', ?, ?, 'not-capable', 0, NULL, ?, ?)";

  // report_state: report_count += 1; save() bumps updated_at.
  private static final String HEARTBEAT =
      "UPDATE services SET report_count = report_count + 1, updated_at = UTC_TIMESTAMP()"
          + " WHERE id = ? AND deleted = 0";

  private final String namespace;
  private final String cluster;
  private final SqlAlchemyUrl url;
  private final Clock clock;
  private final Consumer<ServiceRowEvent> events;
  private final JdbcServiceRegistry reader;
  private Connection connection;

  public JdbcServicesTable(
      String namespace,
      String cluster,
      SqlAlchemyUrl url,
      Clock clock,
      Consumer<ServiceRowEvent> events) {
    this.namespace = namespace;
    this.cluster = cluster;
    this.url = url;
    this.clock = clock;
    this.events = events;
    this.reader = new JdbcServiceRegistry(url);
  }

  @Override
  public ServiceRow register(ServiceRegistration r) {
    Change change;
    long id;
    synchronized (this) {
      id =
          write(
              "register " + r.binary() + " on " + r.host(),
              c -> {
                try (PreparedStatement find = c.prepareStatement(FIND)) {
                  find.setString(1, r.host());
                  find.setString(2, r.binary());
                  try (ResultSet rs = find.executeQuery()) {
                    if (rs.next()) {
                      long existing = rs.getLong(1);
                      try (PreparedStatement st = c.prepareStatement(UPDATE_VERSIONS)) {
                        st.setString(1, r.rpcVersion());
                        st.setString(2, r.objectVersion());
                        st.setString(3, r.clusterName());
                        st.setLong(4, existing);
                        st.executeUpdate();
                      }
                      return existing;
                    }
                  }
                }
                return -insert(c, CREATE, r.firstRow(0, null, null));
              });
      change = id > 0 ? Change.REGISTERED : Change.CREATED;
      id = Math.abs(id);
    }
    return emit(change, id);
  }

  @Override
  public ServiceRow heartbeat(long id, ServiceRegistration registration) {
    int changed;
    synchronized (this) {
      changed =
          write(
                  "heartbeat of row " + id,
                  c -> {
                    try (PreparedStatement st = c.prepareStatement(HEARTBEAT)) {
                      st.setLong(1, id);
                      return (long) st.executeUpdate();
                    }
                  })
              .intValue();
    }
    if (changed == 0) {
      // report_state re-creates a row removed under a running service (service.py:474-479)
      return register(registration);
    }
    return emit(Change.HEARTBEAT, id);
  }

  @Override
  public List<ServiceRow> liveRows() {
    return reader.read().rows();
  }

  @Override
  public ServiceRow insert(ServiceRow row) {
    long id;
    synchronized (this) {
      id =
          write(
              "insert a row for " + row.binary() + " on " + row.host(),
              c -> insert(c, INSERT, row));
    }
    return emit(Change.INSERTED, id);
  }

  /** Closes the writer's connection and the reader's pool. */
  @Override
  public synchronized void close() {
    reader.close();
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // closing a broken connection
      }
      connection = null;
    }
  }

  /** Inserts {@code row} (its id aside: the database assigns one) and returns the new id. */
  private static long insert(Connection c, String sql, ServiceRow row) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
      st.setTimestamp(1, naiveUtc(row.createdAt()));
      st.setTimestamp(2, naiveUtc(row.updatedAt()));
      st.setString(3, row.host());
      st.setString(4, row.binary());
      st.setString(5, row.binary());
      st.setInt(6, row.reportCount());
      st.setBoolean(7, row.disabled());
      st.setString(8, row.rpcVersion());
      st.setString(9, row.objectVersion());
      st.setString(10, row.clusterName());
      st.setString(11, row.uuid() != null ? row.uuid() : UUID.randomUUID().toString());
      st.executeUpdate();
      try (ResultSet keys = st.getGeneratedKeys()) {
        keys.next();
        return keys.getLong(1);
      }
    }
  }

  /** Cinder's DATETIME columns hold naive UTC: write the UTC wall time, whatever the JVM's zone. */
  private static Timestamp naiveUtc(Instant instant) {
    return instant == null
        ? null
        : Timestamp.valueOf(instant.atOffset(ZoneOffset.UTC).toLocalDateTime());
  }

  private ServiceRow emit(Change change, long id) {
    ServiceRow row =
        liveRows().stream()
            .filter(r -> r.id() == id)
            .findFirst()
            .orElseThrow(() -> new DatabaseUnavailableException("row " + id + " vanished"));
    events.accept(new ServiceRowEvent(clock.instant(), namespace, cluster, change, row));
    return row;
  }

  private interface SqlWork {
    long run(Connection c) throws SQLException;
  }

  private Long write(String what, SqlWork work) {
    try {
      if (connection == null || !connection.isValid(1)) {
        connection = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
      }
      return work.run(connection);
    } catch (SQLException e) {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // dropping a broken connection
        }
        connection = null;
      }
      throw new DatabaseUnavailableException(
          "could not "
              + what
              + " in "
              + url.host()
              + ":"
              + url.port()
              + "/"
              + url.database()
              + ": "
              + scrub(e.getMessage()),
          null);
    }
  }

  private String scrub(String message) {
    return message == null || url.password().isEmpty()
        ? String.valueOf(message)
        : message.replace(url.password(), "****");
  }
}
