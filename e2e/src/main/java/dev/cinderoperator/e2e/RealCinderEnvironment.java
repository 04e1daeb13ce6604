package dev.cinderoperator.e2e;

import static dev.cinderoperator.cinder.CinderBinary.BACKUP;
import static dev.cinderoperator.cinder.CinderBinary.SCHEDULER;
import static dev.cinderoperator.cinder.CinderBinary.VOLUME;

import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.cinder.SqlAlchemyUrl;
import dev.cinderoperator.db.ServiceRegistryPool;
import dev.cinderoperator.kube.OperatorSettings;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.SimulatedCinderRuntime;
import dev.cinderoperator.sim.real.JdbcDatabases;
import dev.cinderoperator.sim.real.RealCinderRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The simulated cluster with real Cinder in its pods ({@code --real-cinder}): the same {@link
 * SimulatedEnvironment} (mock API server, controllers, kubelet, operator), but pods of a cinder
 * image run Debian's Cinder 21.3.1 ({@link RealCinderRuntime}) against a real MariaDB and RabbitMQ
 * on loopback, and the operator reads the services table over JDBC.
 *
 * <p>Releases: the installed code is 21.3.1, which reports exactly the catalog's {@code zed}
 * (volume 3.18, scheduler 3.12, backup 2.3, objects 1.39). The older release is imitated on the
 * same code: {@link #IMITATED_YOGA}, labelled yoga (the series before zed, so yoga to zed is this
 * tier's N to N+1), lowers the RPC constants below Zed's, to Xena's (volume 3.16, scheduler 3.12,
 * backup 2.2; objects 1.39 as since Xena): real Yoga reports what Zed does, which would show no pin
 * move. {@link #catalog()} expects these versions of yoga. Images: {@link #SOURCE_IMAGE} and {@link
 * #TARGET_IMAGE}.
 *
 * <pre>{@code
 * try (RealCinderEnvironment real =
 *     RealCinderEnvironment.start(RealCinderEnvironment.Backing.fromTestenv(dir), "openstack",
 *         OperatorSettings.defaults())) {
 *   real.env().client().resource(cluster).create();   // spec.image = SOURCE_IMAGE
 * }
 * }</pre>
 */
public final class RealCinderEnvironment implements AutoCloseable {
  public static final String REGISTRY = "registry.example.com/openstack/cinder:";
  public static final String SOURCE_IMAGE = REGISTRY + "yoga";
  public static final String TARGET_IMAGE = REGISTRY + "zed";

  /** An older release imitated on the installed 21.3.1 code: yoga, with Xena's lower versions. */
  public static final Release IMITATED_YOGA =
      new Release(
          "yoga", 20, false, Map.of(VOLUME, "3.16", SCHEDULER, "3.12", BACKUP, "2.2"), "1.39");

  /** What real 21.3.1 reports: the standard catalog's zed. */
  public static final Release REAL_ZED = ReleaseCatalog.standard().find("zed").orElseThrow();

  /** The test-only catalog: the imitated yoga, then the real zed. */
  public static ReleaseCatalog catalog() {
    return ReleaseCatalog.of(List.of(IMITATED_YOGA, REAL_ZED));
  }

  /**
   * The servers real Cinder uses.
   *
   * @param databaseUrl SQLAlchemy URL of an existing database (empty: the operator's db sync fills
   *     it), e.g. {@code mysql+pymysql://cinder:cinder@127.0.0.1:33306/cinder_demo}
   * @param transportUrl e.g. {@code rabbit://cinder:cinder@127.0.0.1:35672/}
   * @param workDir where the pods' directories (config, state, logs) go
   */
  public record Backing(String databaseUrl, String transportUrl, Path workDir) {

    /**
     * From the variables {@code scripts/testenv/up.sh} exports: a new database {@code
     * cinder_demo_<time>} on its MariaDB, its RabbitMQ.
     *
     * @throws IllegalStateException when the variables are not set or the database cannot be made
     */
    public static Backing fromTestenv(Path workDir) {
      String host = env("CINDER_TEST_DB_HOST");
      String port = env("CINDER_TEST_DB_PORT");
      String user = env("CINDER_TEST_DB_USER");
      String password = env("CINDER_TEST_DB_PASSWORD");
      String name = "cinder_demo_" + System.currentTimeMillis();
      try (Connection c =
              DriverManager.getConnection(
                  "jdbc:mariadb://" + host + ":" + port + "/", user, password);
          Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4");
      } catch (SQLException e) {
        throw new IllegalStateException(
            "could not create database "
                + name
                + " on "
                + host
                + ":"
                + port
                + ": "
                + scrub(e.getMessage(), password));
      }
      return new Backing(
          "mysql+pymysql://"
              + encode(user)
              + ":"
              + encode(password)
              + "@"
              + host
              + ":"
              + port
              + "/"
              + name
              + "?charset=utf8",
          env("CINDER_TEST_TRANSPORT_URL"),
          workDir);
    }

    private static String scrub(String message, String password) {
      return message == null || password.isEmpty()
          ? String.valueOf(message)
          : message.replace(password, "****");
    }

    private static String env(String name) {
      String v = System.getenv(name);
      if (v == null || v.isBlank()) {
        throw new IllegalStateException(
            name
                + " is not set: run eval \"$(scripts/testenv/up.sh)\" first (see docs/testenv.md)");
      }
      return v;
    }

    private static String encode(String s) {
      return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
  }

  private final SimulatedEnvironment env;
  private final RealCinderRuntime runtime;

  private RealCinderEnvironment(SimulatedEnvironment env, RealCinderRuntime runtime) {
    this.env = env;
    this.runtime = runtime;
  }

  /** Why real Cinder cannot run here, or empty when it can. */
  public static Optional<String> unavailableReason() {
    return RealCinderRuntime.unavailableReason();
  }

  /**
   * Starts the mock API server, the controllers and kubelet with real Cinder for cinder images, and
   * the operator (with {@link #catalog()}); creates the {@code cinder-db} and {@code
   * cinder-rabbitmq} Secrets in {@code namespace}.
   */
  public static RealCinderEnvironment start(
      Backing backing, String namespace, OperatorSettings settings) {
    SqlAlchemyUrl url =
        SqlAlchemyUrl.parse(backing.databaseUrl())
            .url()
            .orElseThrow(() -> new IllegalArgumentException("databaseUrl is not a SQLAlchemy URL"));
    SimConfig config =
        SimConfig.realistic()
            .withNamespace(namespace)
            .withPodStartDelay(Duration.ofMillis(100))
            .withReadinessDelay(Duration.ofMillis(100))
            .withJobRunTime(Duration.ZERO)
            .withTerminationGracePeriod(Duration.ofMillis(200))
            .withReportInterval(Duration.ofSeconds(1));
    RealCinderRuntime[] holder = new RealCinderRuntime[1];
    SimulatedEnvironment env =
        SimulatedEnvironment.start(
            config,
            settings,
            new SimulatedEnvironment.Wiring(
                catalog(),
                JdbcDatabases.factory(url, config.clock()),
                ServiceRegistryPool::guardedJdbc,
                sim -> {
                  RealCinderRuntime runtime =
                      new RealCinderRuntime(
                          sim.client(), RealCinderRuntime.Settings.in(backing.workDir()));
                  runtime.imitate(SOURCE_IMAGE, IMITATED_YOGA);
                  sim.kubelet().useRuntime(SimulatedCinderRuntime.CINDER_IMAGES, runtime);
                  holder[0] = runtime;
                }));
    RealCinderEnvironment real = new RealCinderEnvironment(env, holder[0]);
    try {
      env.createSecrets(namespace, backing.databaseUrl(), backing.transportUrl());
    } catch (RuntimeException e) {
      real.close();
      throw e;
    }
    return real;
  }

  /** The environment (client, recorders, invariants, operator stop/start). */
  public SimulatedEnvironment env() {
    return env;
  }

  /** The processes, their PIDs and logs. */
  public RealCinderRuntime runtime() {
    return runtime;
  }

  /** Stops the operator and the simulation, then every Cinder process by PID. */
  @Override
  public void close() {
    try {
      env.close();
    } finally {
      runtime.close();
    }
  }
}
