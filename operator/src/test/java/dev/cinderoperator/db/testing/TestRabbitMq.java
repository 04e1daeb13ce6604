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
  private final Process epmd;
  private final Process server;

  private TestRabbitMq(int port, Process epmd, Process server) {
    this.port = port;
    this.epmd = epmd;
    this.server = server;
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
    Process server = null;
    try {
      await("epmd listening").atMost(Duration.ofSeconds(10)).until(() -> listening(epmdPort));
      server = TestProcesses.start(List.of(SERVER.toString()), env, dir.resolve("server.log"));
      Process s = server;
      await("RabbitMQ listening on " + port + " (log " + dir.resolve("server.log") + ")")
          // ~3 s on an idle machine; over 45 s measured on a shared, loaded one
          .atMost(Duration.ofSeconds(150))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                if (!s.isAlive()) {
                  throw new AssertionError("rabbitmq-server exited; see " + dir);
                }
                return listening(port);
              });
      return new TestRabbitMq(port, epmd, server);
    } catch (RuntimeException | Error e) {
      TestProcesses.stop(server, 10);
      TestProcesses.stop(epmd, 2);
      throw e;
    }
  }

  public String transportUrl() {
    return "rabbit://cinder:cinder@127.0.0.1:" + port + "/";
  }

  @Override
  public void close() {
    TestProcesses.stop(server, 15);
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
