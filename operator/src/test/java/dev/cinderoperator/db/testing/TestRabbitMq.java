package dev.cinderoperator.db.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A private RabbitMQ on loopback for real Cinder services: its own epmd and node in a temporary
 * directory, user {@code cinder}/{@code cinder}, both stopped by PID.
 */
public final class TestRabbitMq implements AutoCloseable {
  static final Path SERVER = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");

  private final int port;
  private final Path dir;
  private final Map<String, String> env;
  private final Process epmd;
  private Process server;

  private TestRabbitMq(int port, Path dir, Map<String, String> env, Process epmd) {
    this.port = port;
    this.dir = dir;
    this.env = env;
    this.epmd = epmd;
  }

  public static boolean installed() {
    return Files.isExecutable(SERVER) && TestMariaDb.which("epmd").isPresent();
  }

  public static TestRabbitMq start(Path dir) throws IOException {
    int port = freePort();
    int epmdPort = freePort();
    int distPort = freePort();
    Path home = Files.createDirectories(dir.resolve("home"));
    Files.createDirectories(dir.resolve("mnesia"));
    Files.createDirectories(dir.resolve("log"));
    Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
    Files.writeString(dir.resolve("advanced.config"), "[].\n");
    Files.writeString(dir.resolve("rabbitmq-env.conf"), "");
    Files.writeString(
        dir.resolve("rabbitmq.conf"),
        String.join(
            "\n",
            "listeners.tcp.1 = 127.0.0.1:" + port,
            "default_user = cinder",
            "default_pass = cinder",
            "default_vhost = /",
            "loopback_users = none",
            "log.console = false",
            ""));
    Map<String, String> env =
        Map.ofEntries(
            Map.entry("HOME", home.toString()),
            Map.entry("ERL_EPMD_ADDRESS", "127.0.0.1"),
            Map.entry("ERL_EPMD_PORT", Integer.toString(epmdPort)),
            Map.entry("RABBITMQ_NODENAME", "cinder_test_" + port + "@localhost"),
            Map.entry("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString()),
            Map.entry("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString()),
            Map.entry("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString()),
            Map.entry("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString()),
            Map.entry("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString()),
            Map.entry("RABBITMQ_LOG_BASE", dir.resolve("log").toString()),
            Map.entry("RABBITMQ_PID_FILE", dir.resolve("beam.pid").toString()),
            Map.entry("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"),
            Map.entry("RABBITMQ_NODE_PORT", Integer.toString(port)),
            Map.entry("RABBITMQ_DIST_PORT", Integer.toString(distPort)),
            Map.entry(
                "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS",
                "-kernel inet_dist_use_interface {127,0,0,1}"));
    Process epmd =
        TestProcesses.start(
            List.of("epmd", "-address", "127.0.0.1", "-port", Integer.toString(epmdPort)),
            env,
            dir.resolve("epmd.log"));
    TestRabbitMq rabbit = new TestRabbitMq(port, dir, env, epmd);
    try {
      await("epmd listening").atMost(Duration.ofSeconds(30)).until(() -> listening(epmdPort));
      rabbit.startServer();
      return rabbit;
    } catch (RuntimeException | Error e) {
      rabbit.close();
      throw e;
    }
  }

  /** Starts the broker again after {@link #stopServer()}: same port, node and data. */
  public synchronized void startServer() {
    if (server != null && server.isAlive()) {
      return;
    }
    // appended to: a restart's log follows the first start's
    server = TestProcesses.start(List.of(SERVER.toString()), env, dir.resolve("server.log"));
    Process s = server;
    await("RabbitMQ listening on " + port + " (log " + dir.resolve("server.log") + ")")
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              if (!s.isAlive()) {
                throw new AssertionError("rabbitmq-server exited; see " + dir);
              }
              return listening(port);
            });
  }

  /** Stops the broker (a clean shutdown, as a restarted pod's), keeping its port and data. */
  public synchronized void stopServer() {
    TestProcesses.stop(server, 15);
    server = null;
  }

  public String transportUrl() {
    return "rabbit://cinder:cinder@127.0.0.1:" + port + "/";
  }

  @Override
  public void close() {
    stopServer();
    TestProcesses.stop(epmd, 2);
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
