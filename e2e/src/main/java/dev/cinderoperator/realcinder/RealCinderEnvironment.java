package dev.cinderoperator.realcinder;

import static dev.cinderoperator.cinder.CinderBinary.BACKUP;
import static dev.cinderoperator.cinder.CinderBinary.SCHEDULER;
import static dev.cinderoperator.cinder.CinderBinary.VOLUME;

import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.cinder.SqlAlchemyUrl;
import dev.cinderoperator.db.ServiceRegistryPool;
import dev.cinderoperator.kube.OperatorSettings;
import dev.cinderoperator.messaging.BackupFences;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.SimulatedEnvironment;
import dev.cinderoperator.sim.cinder.SimulatedCinderRuntime;
import dev.cinderoperator.sim.db.JdbcDatabases;
import dev.cinderoperator.workload.CinderPodTemplates;
import dev.cinderoperator.workload.Names;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The simulated cluster with real Cinder in its pods ({@code --real-cinder} and the real tiers):
 * the same {@link SimulatedEnvironment} (mock API server, controllers, kubelet, operator), but pods
 * of a cinder image run real Cinder in containers ({@link RealCinderRuntime}) against a real
 * MariaDB and RabbitMQ on loopback, the operator reads the services table over JDBC, and the API
 * Service is proxied to the Ready cinder-api pods ({@link #apiUrl}).
 *
 * <p>Two pairs of releases ({@link Releases}):
 *
 * <ul>
 *   <li>{@link Releases#of(CinderRoots.Pair)}: two real releases from Debian's archive, each image
 *       its own root filesystem (2026.1 from testing, 2026.2 from unstable; {@code
 *       scripts/testenv/roots.sh}), with the standard catalog. They report the same RPC and object
 *       versions, so pins do not move between them.
 *   <li>{@link Releases#bookworm()}: this machine's Debian bookworm Cinder 21.3.1 ({@code zed}),
 *       and the series before it imitated on the same code ({@link #IMITATED_YOGA}: labelled yoga,
 *       with Xena's lower versions, volume 3.16, scheduler 3.12, backup 2.2, objects 1.39, since
 *       real Yoga reports what Zed does), with a test catalog of just these two. The only pair
 *       where pins move.
 * </ul>
 *
 * <p>Settings a test machine needs (a 1 s heartbeat, a short scheduler start wait and shutdown) go
 * into the CinderCluster's {@code spec.config} ({@link #testConfig()}), so what the operator
 * renders is what runs and what it compares with.
 *
 * <pre>{@code
 * try (RealCinderEnvironment real =
 *     RealCinderEnvironment.start(backing, "openstack", OperatorSettings.defaults(), releases)) {
 *   real.env().client().resource(cluster).create();   // spec.image = releases.sourceImage()
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

  /** The bookworm tier's catalog: the imitated yoga, then the real zed. */
  public static ReleaseCatalog catalog() {
    return ReleaseCatalog.of(List.of(IMITATED_YOGA, REAL_ZED));
  }

  /**
   * A pair of releases to upgrade between and where their images' roots are.
   *
   * @param images registers every image's root (and imitation) with the runtime
   * @param description what runs, for logs and the demo
   */
  public record Releases(
      String sourceRelease,
      String sourceImage,
      String targetRelease,
      String targetImage,
      ReleaseCatalog catalog,
      Consumer<RealCinderRuntime> images,
      String description) {

    /** Debian bookworm's 21.3.1 from this machine's root, and the imitated yoga. */
    public static Releases bookworm() {
      Path root = Path.of("/");
      return new Releases(
          "yoga",
          SOURCE_IMAGE,
          "zed",
          TARGET_IMAGE,
          RealCinderEnvironment.catalog(),
          runtime -> {
            runtime.imitate(SOURCE_IMAGE, root, IMITATED_YOGA);
            runtime.image(TARGET_IMAGE, root);
          },
          "Debian bookworm's Cinder 21.3.1 (zed) from this machine's root, yoga imitated on it");
    }

    /** Two real releases, each image its own root: {@code cinder:<series>}. */
    public static Releases of(CinderRoots.Pair pair) {
      String source = REGISTRY + pair.source().series();
      String target = REGISTRY + pair.target().series();
      return new Releases(
          pair.source().series(),
          source,
          pair.target().series(),
          target,
          ReleaseCatalog.standard(),
          runtime -> {
            runtime.image(source, pair.source().path());
            runtime.image(target, pair.target().path());
          },
          "Debian's Cinder " + pair.source() + " and " + pair.target());
    }

    /** Why this machine cannot run the bookworm pair, or empty. */
    public static Optional<String> bookwormUnavailableReason() {
      for (String tool :
          List.of(
              "cinder-api",
              "cinder-scheduler",
              "cinder-volume",
              "cinder-backup",
              "cinder-manage",
              "cinder-status")) {
        if (!Files.isExecutable(Path.of("/usr/bin", tool))) {
          return Optional.of(
              "no /usr/bin/"
                  + tool
                  + " (apt-get install cinder-scheduler cinder-volume cinder-backup cinder-api)");
        }
      }
      return Optional.empty();
    }
  }

  /**
   * The {@code spec.config} a real-tier CinderCluster needs on a test machine: no Keystone ({@code
   * noauth}: the token is {@code user:project}), heartbeats every second, a service counted down
   * after 10 s without one, a 2 s scheduler start wait, a 5 s graceful shutdown, periodic tasks
   * every 5 s without fuzz, one API worker per pod.
   */
  public static Map<String, Map<String, String>> testConfig() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("auth_strategy", "noauth");
    d.put("report_interval", "1");
    d.put("service_down_time", "10");
    d.put("periodic_interval", "5");
    d.put("periodic_fuzzy_delay", "0");
    d.put("scheduler_driver_init_wait_time", "2");
    // long enough for a request under load to finish when its API pod stops (at 5 s, a create
    // that waited on its project's quota rows was cut: "header parser received no bytes")
    d.put("graceful_shutdown_timeout", "30");
    d.put("osapi_volume_workers", "1");
    d.put("debug", "false");
    Map<String, Map<String, String>> config = new LinkedHashMap<>();
    config.put("DEFAULT", d);
    // SQLAlchemy's default pool (5 + 50 overflow per process) let ten Cinder processes under
    // traffic exhaust a MariaDB's default max_connections (151): "Too many connections". The
    // test servers allow 1000; a cinder-api serving two sets of users needs more than 2 + 8 (it
    // answered 500 "QueuePool limit of size 2 overflow 8 reached" after 30 s).
    config.put("database", Map.of("max_pool_size", "5", "max_overflow", "20"));
    return config;
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
  private final Releases releases;

  private RealCinderEnvironment(
      SimulatedEnvironment env, RealCinderRuntime runtime, Releases releases) {
    this.env = env;
    this.runtime = runtime;
    this.releases = releases;
  }

  /** Why containers cannot run here, or empty when they can. */
  public static Optional<String> unavailableReason() {
    return RealCinderRuntime.unavailableReason();
  }

  /** The bookworm pair (imitated yoga to zed). */
  public static RealCinderEnvironment start(
      Backing backing, String namespace, OperatorSettings settings) {
    return start(backing, namespace, settings, Releases.bookworm());
  }

  /**
   * Starts the mock API server, the controllers and kubelet with real Cinder for cinder images, the
   * Service proxy, and the operator (with the releases' catalog); creates the {@code cinder-db} and
   * {@code cinder-rabbitmq} Secrets in {@code namespace}.
   */
  public static RealCinderEnvironment start(
      Backing backing, String namespace, OperatorSettings settings, Releases releases) {
    SqlAlchemyUrl url =
        SqlAlchemyUrl.parse(backing.databaseUrl())
            .url()
            .orElseThrow(() -> new IllegalArgumentException("databaseUrl is not a SQLAlchemy URL"));
    SimConfig config =
        SimConfig.realistic()
            .withNamespace(namespace)
            .with(
                d -> {
                  d.podStartDelay = Duration.ofMillis(100);
                  d.readinessDelay = Duration.ofMillis(100);
                  d.jobRunTime = Duration.ZERO;
                  d.terminationGracePeriod = Duration.ofMillis(200);
                  d.reportInterval = Duration.ofSeconds(1);
                });
    RealCinderRuntime[] holder = new RealCinderRuntime[1];
    SimulatedEnvironment env =
        SimulatedEnvironment.start(
            config,
            settings,
            new SimulatedEnvironment.Wiring(
                releases.catalog(),
                JdbcDatabases.factory(url, config.clock()),
                ServiceRegistryPool::guardedJdbc,
                sim -> {
                  RealCinderRuntime runtime =
                      new RealCinderRuntime(
                          sim.client(), RealCinderRuntime.Settings.in(backing.workDir()));
                  releases.images().accept(runtime);
                  sim.kubelet().useRuntime(SimulatedCinderRuntime.CINDER_IMAGES, runtime);
                  sim.serviceProxy();
                  holder[0] = runtime;
                },
                () -> BackupFences.rabbit(java.time.Clock.systemUTC())));
    RealCinderEnvironment real = new RealCinderEnvironment(env, holder[0], releases);
    try {
      env.createSecrets(namespace, backing.databaseUrl(), backing.transportUrl());
    } catch (RuntimeException e) {
      real.close();
      throw e;
    }
    return real;
  }

  public Releases releases() {
    return releases;
  }

  /**
   * The loopback URL of a CinderCluster's API Service (e.g. {@code http://127.0.0.1:40123}), as
   * clients in the cluster reach it.
   *
   * @throws IllegalStateException when the Service does not exist yet
   */
  public URI apiUrl(String namespace, String cluster) {
    return env.sim().serviceProxy().url(namespace, Names.api(cluster), CinderPodTemplates.API_PORT);
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
