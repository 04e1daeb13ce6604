package dev.cinderoperator.db.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real MariaDB server for tests: Debian's {@code mariadbd} started privately on a free loopback
 * port in a temporary directory (one per JVM, stopped by its PID at exit), or the server named by
 * {@code CINDER_TEST_DB_HOST}/{@code _PORT}/{@code _USER}/{@code _PASSWORD}. Without either, tests
 * that need it are skipped with a loud message.
 *
 * <p>The private server runs in time zone +03:00 on purpose, so tests show that nothing depends on
 * the server's zone.
 */
public final class TestMariaDb {
  /** A password with characters SQLAlchemy URLs must percent-encode. */
  static final String TEST_PASSWORD = "s3cret/p@ss:w0rd%+";

  static final String TEST_USER = "cinder_test";

  private static TestMariaDb shared;
  private static String unavailableReason;

  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final Path dir;
  private final Path socket;
  private Process process;

  private TestMariaDb(String host, int port, String user, String password, Path dir) {
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password;
    this.dir = dir;
    this.socket = dir == null ? null : dir.resolve("mysql.sock");
  }

  /**
   * The server shared by every test of this JVM, started on first use.
   *
   * @throws org.opentest4j.TestAbortedException when no server can be had (the test is skipped)
   */
  public static synchronized TestMariaDb shared() {
    if (shared == null && unavailableReason == null) {
      try {
        shared = fromEnvironment().orElseGet(TestMariaDb::startPrivate);
      } catch (MissingServerException e) {
        unavailableReason = e.getMessage();
        System.err.println(
            "\n*** SKIPPING database tests: " + unavailableReason + " ***\n"); // loud on purpose
      }
    }
    Assumptions.assumeTrue(shared != null, () -> "SKIPPED: " + unavailableReason);
    return shared;
  }

  private static Optional<TestMariaDb> fromEnvironment() {
    String host = System.getenv("CINDER_TEST_DB_HOST");
    if (host == null || host.isBlank()) {
      return Optional.empty();
    }
    String port = Optional.ofNullable(System.getenv("CINDER_TEST_DB_PORT")).orElse("3306");
    return Optional.of(
        new TestMariaDb(
            host,
            Integer.parseInt(port),
            Optional.ofNullable(System.getenv("CINDER_TEST_DB_USER")).orElse("root"),
            Optional.ofNullable(System.getenv("CINDER_TEST_DB_PASSWORD")).orElse(""),
            null));
  }

  /**
   * Starts a server of this test's own (for tests that stop and restart it); stop it with {@link
   * #stop()}.
   */
  public static TestMariaDb startPrivate() {
    Path mariadbd = findExecutable("mariadbd", "mysqld");
    Path installDb = findExecutable("mariadb-install-db", "mysql_install_db");
    try {
      Path dir = Files.createTempDirectory("cinder-test-mariadb-");
      TestMariaDb db = new TestMariaDb("127.0.0.1", freePort(), TEST_USER, TEST_PASSWORD, dir);
      run(
          dir.resolve("install.log"),
          installDb.toString(),
          "--no-defaults",
          "--datadir=" + dir.resolve("data"),
          "--user=root",
          "--auth-root-authentication-method=normal",
          "--skip-test-db",
          "--skip-name-resolve");
      db.mariadbd = mariadbd;
      Runtime.getRuntime().addShutdownHook(new Thread(db::stopAndDelete, "stop-test-mariadb"));
      db.start();
      try (Connection c = db.rootOverLoopback();
          Statement st = c.createStatement()) {
        st.execute("CREATE USER '" + TEST_USER + "'@'%' IDENTIFIED BY '" + TEST_PASSWORD + "'");
        st.execute("GRANT ALL PRIVILEGES ON *.* TO '" + TEST_USER + "'@'%'");
      }
      return db;
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("could not start a private mariadbd", e);
    }
  }

  private Path mariadbd;

  /** Starts (or restarts, with the same data and port) a private server. */
  public synchronized void start() {
    if (dir == null) {
      throw new IllegalStateException("an external server is not started by tests");
    }
    if (process != null && process.isAlive()) {
      return;
    }
    ProcessBuilder pb =
        new ProcessBuilder(
                mariadbd.toString(),
                "--no-defaults",
                "--datadir=" + dir.resolve("data"),
                "--user=root",
                "--bind-address=127.0.0.1",
                "--port=" + port,
                "--socket=" + socket,
                "--pid-file=" + dir.resolve("mariadbd.pid"),
                "--skip-name-resolve",
                "--character-set-server=utf8mb4",
                "--default-time-zone=+03:00",
                "--innodb-buffer-pool-size=32M",
                // a real Cinder tier runs a dozen processes with up to 10 connections each, two
                // of a pod while it is replaced: the default 151 ran out ("Too many connections")
                "--max-connections=1000",
                "--log-error=" + dir.resolve("error.log"))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile());
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + mariadbd, e);
    }
    Process p = process;
    await("mariadbd on port " + port + " accepting connections")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(
            () -> {
              if (!p.isAlive()) {
                throw new AssertionError(
                    "mariadbd exited " + p.exitValue() + "; see " + dir.resolve("error.log"));
              }
              try (Connection c = rootOverLoopback()) {
                return c.isValid(1);
              }
            });
  }

  /** Stops a private server by its PID and waits for it to exit. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy(); // SIGTERM to the PID we started: a clean shutdown
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  private void stopAndDelete() {
    stop();
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException ignored) {
        // a leftover temporary directory is harmless
      }
    }
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** An administrative connection to the server (no database selected). */
  public Connection admin() throws SQLException {
    return DriverManager.getConnection("jdbc:mariadb://" + host + ":" + port + "/", user, password);
  }

  /** mariadb-install-db creates root@127.0.0.1 without a password; only this JVM's tests use it. */
  private Connection rootOverLoopback() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:mariadb://127.0.0.1:" + port + "/?user=root&connectTimeout=1000");
  }

  /**
   * Creates a fresh, uniquely named database holding Cinder's services, clusters and backups tables
   * (see {@link CinderSchema}).
   */
  public TestDatabase createDatabase(String hint) {
    String base = "t_" + hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_");
    String name =
        base.substring(0, Math.min(40, base.length()))
            + "_"
            + UUID.randomUUID().toString().substring(0, 8);
    TestDatabase db = createEmptyDatabase(name);
    CinderSchema.statements(this).forEach(db::execute);
    return db;
  }

  /** Creates an empty database (for a real {@code cinder-manage db sync}). */
  public TestDatabase createEmptyDatabase(String name) {
    try (Connection c = admin();
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4");
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name, e);
    }
    return new TestDatabase(this, name);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static Optional<Path> which(String name) {
    List<String> dirs =
        new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
    dirs.addAll(List.of("/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"));
    return dirs.stream()
        .filter(d -> !d.isBlank())
        .map(d -> Path.of(d, name))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private static Path findExecutable(String... names) {
    for (String n : names) {
      Optional<Path> p = which(n);
      if (p.isPresent()) {
        return p.get();
      }
    }
    throw new MissingServerException(
        "no "
            + names[0]
            + " found (install Debian's mariadb-server, or set CINDER_TEST_DB_HOST, _PORT, _USER"
            + " and _PASSWORD to a MariaDB server the tests may create databases on)");
  }

  private static void run(Path log, String... command) throws IOException {
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(command[0] + " failed; see " + log);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static final class MissingServerException extends RuntimeException {
    MissingServerException(String message) {
      super(message);
    }
  }
}
