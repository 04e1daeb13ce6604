package dev.cinderoperator.db.testing;

import dev.cinderoperator.cinder.SqlAlchemyUrl;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** One database on a {@link TestMariaDb}, with helpers to write rows the way Cinder writes them. */
public final class TestDatabase {
  private final TestMariaDb server;
  private final String name;

  TestDatabase(TestMariaDb server, String name) {
    this.server = server;
    this.name = name;
  }

  public String name() {
    return name;
  }

  public TestMariaDb server() {
    return server;
  }

  /** The SQLAlchemy URL Cinder would be given, password percent-encoded. */
  public String sqlAlchemyUrl() {
    return "mysql+pymysql://"
        + encode(server.user())
        + ":"
        + encode(server.password())
        + "@"
        + server.host()
        + ":"
        + server.port()
        + "/"
        + name
        + "?charset=utf8";
  }

  /** {@link #sqlAlchemyUrl()} parsed. */
  public SqlAlchemyUrl url() {
    SqlAlchemyUrl.Result r = SqlAlchemyUrl.parse(sqlAlchemyUrl());
    return r.url().orElseThrow(() -> new IllegalStateException("test URL " + r.error()));
  }

  public Connection connect() throws SQLException {
    return java.sql.DriverManager.getConnection(
        "jdbc:mariadb://" + server.host() + ":" + server.port() + "/" + name,
        server.user(),
        server.password());
  }

  /** Runs one statement with positional parameters; returns the update count. */
  public int execute(String sql, Object... args) {
    try (Connection c = connect();
        PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        st.setObject(i + 1, args[i]);
      }
      st.execute();
      return st.getUpdateCount();
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
    }
  }

  /** The first column of every row of a query. */
  public List<Object> column(String sql, Object... args) {
    try (Connection c = connect();
        PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        st.setObject(i + 1, args[i]);
      }
      List<Object> values = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          values.add(rs.getObject(1));
        }
      }
      return values;
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
    }
  }

  /** The single value of a query. */
  public Object value(String sql, Object... args) {
    List<Object> values = column(sql, args);
    if (values.size() != 1) {
      throw new IllegalStateException(sql + " returned " + values.size() + " rows");
    }
    return values.get(0);
  }

  /**
   * Inserts a services row as {@code Service._create_service_ref} does, its heartbeat {@code
   * secondsAgo} before the database's UTC clock; returns its id.
   */
  public long insertService(
      String binary, String host, String rpcVersion, String objectVersion, int secondsAgo) {
    return insertService(binary, host, null, rpcVersion, objectVersion, secondsAgo);
  }

  public long insertService(
      String binary,
      String host,
      String clusterName,
      String rpcVersion,
      String objectVersion,
      int secondsAgo) {
    String sql =
        "INSERT INTO services (created_at, updated_at, deleted, host, `binary`, topic,"
            + " report_count, disabled, availability_zone, rpc_current_version,"
            + " object_current_version, replication_status, frozen, cluster_name, uuid)"
            + " VALUES (UTC_TIMESTAMP() - INTERVAL ? SECOND, UTC_TIMESTAMP() - INTERVAL ? SECOND,"
            + " 0, ?, ?, ?, 0, 0, 'nova', ?, ?, 'not-capable', 0, ?, ?)";
    try (Connection c = connect();
        PreparedStatement st = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
      st.setInt(1, secondsAgo);
      st.setInt(2, secondsAgo);
      st.setString(3, host);
      st.setString(4, binary);
      st.setString(5, binary);
      st.setString(6, rpcVersion);
      st.setString(7, objectVersion);
      st.setString(8, clusterName);
      st.setString(9, UUID.randomUUID().toString());
      st.executeUpdate();
      try (ResultSet keys = st.getGeneratedKeys()) {
        keys.next();
        return keys.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not insert a services row: " + e.getMessage(), e);
    }
  }

  /** Inserts a backups row as the backup API does; returns its id. */
  public String insertBackup(String host, String status) {
    String id = UUID.randomUUID().toString();
    execute(
        "INSERT INTO backups (created_at, updated_at, deleted, id, volume_id, user_id, project_id,"
            + " host, availability_zone, display_name, status, size, object_count)"
            + " VALUES (UTC_TIMESTAMP(), UTC_TIMESTAMP(), 0, ?, ?, 'u', 'p', ?, 'nova', 'b', ?, 1,"
            + " 0)",
        id,
        UUID.randomUUID().toString(),
        host,
        status);
    return id;
  }

  /** Drops the database. */
  public void drop() {
    try (Connection c = server.admin();
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS `" + name + "`");
    } catch (SQLException e) {
      throw new IllegalStateException("could not drop " + name, e);
    }
  }

  static String encode(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      char ch = (char) (x & 0xff);
      if ((ch >= 'a' && ch <= 'z')
          || (ch >= 'A' && ch <= 'Z')
          || (ch >= '0' && ch <= '9')
          || "-._~".indexOf(ch) >= 0) {
        b.append(ch);
      } else {
        b.append('%').append(String.format("%02X", x & 0xff));
      }
    }
    return b.toString();
  }
}
