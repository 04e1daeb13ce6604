package dev.cinderoperator.db.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The DDL of Cinder's services, clusters, backups, volumes and snapshots tables (and the tables
 * volumes' and snapshots' foreign keys name, in the order they can be created). Where Cinder is
 * installed it is taken from a real {@code cinder-manage db sync} (once per server); elsewhere from
 * the copy in test resources, made the same way from Debian's Cinder 21.3.1. Either way tests run
 * on Cinder's own schema.
 */
public final class CinderSchema {
  public static final List<String> TABLES =
      List.of(
          "services",
          "clusters",
          "backups",
          "consistencygroups",
          "groups",
          "cgsnapshots",
          "group_snapshots",
          "volumes",
          "snapshots");
  static final String RESOURCE = "/dev/cinderoperator/db/testing/cinder-21.3.1-schema.sql";

  private static List<String> fromRealCinder;
  private static TestMariaDb realCinderServer;

  private CinderSchema() {}

  /** The CREATE TABLE statements for {@link #TABLES}. */
  static synchronized List<String> statements(TestMariaDb server) {
    Optional<Path> manage = TestMariaDb.which("cinder-manage");
    if (manage.isEmpty()) {
      return fromResource();
    }
    if (fromRealCinder == null || realCinderServer != server) {
      fromRealCinder = fromDbSync(server, manage.get());
      realCinderServer = server;
    }
    return fromRealCinder;
  }

  /** The statements a real {@code cinder-manage db sync} on {@code server} creates. */
  public static List<String> fromRealCinder(TestMariaDb server) {
    if (TestMariaDb.which("cinder-manage").isEmpty()) {
      throw new IllegalStateException("cinder-manage is not installed");
    }
    return statements(server);
  }

  /** The statements kept in test resources. */
  public static List<String> fromResource() {
    try (InputStream in = CinderSchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + RESOURCE);
      }
      String text =
          Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
              .filter(l -> !l.startsWith("--"))
              .collect(Collectors.joining("\n"));
      return Arrays.stream(text.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + RESOURCE, e);
    }
  }

  /** Runs real {@code cinder-manage db sync} into a scratch database and reads its DDL back. */
  static List<String> fromDbSync(TestMariaDb server, Path cinderManage) {
    TestDatabase scratch =
        server.createEmptyDatabase("cinder_schema_" + ProcessHandle.current().pid());
    try {
      Path dir = Files.createTempDirectory("cinder-schema-");
      Path conf = dir.resolve("cinder.conf");
      Files.writeString(
          conf,
          "[DEFAULT]\nstate_path = "
              + dir
              + "\n[database]\nconnection = "
              + scratch.sqlAlchemyUrl()
              + "\n[oslo_concurrency]\nlock_path = "
              + dir
              + "\n");
      Process p =
          new ProcessBuilder(
                  cinderManage.toString(),
                  "--config-file",
                  conf.toString(),
                  "--nodebug",
                  "db",
                  "sync")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("db-sync.log").toFile())
              .start();
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "cinder-manage db sync failed; see " + dir.resolve("db-sync.log"));
      }
      List<String> ddl = new ArrayList<>();
      try (Connection c = scratch.connect();
          Statement st = c.createStatement()) {
        for (String table : TABLES) {
          try (ResultSet rs = st.executeQuery("SHOW CREATE TABLE `" + table + "`")) {
            rs.next();
            ddl.add(rs.getString(2));
          }
        }
      }
      return List.copyOf(ddl);
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("could not take Cinder's schema from db sync", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      scratch.drop();
    }
  }
}
