package dev.cinderoperator.db.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's real Cinder services for tests: writes a cinder.conf per service (a pod's host name, the
 * fake volume driver, the POSIX backup driver, a short heartbeat) and starts, signals and stops the
 * processes by PID. {@link #assumeAvailable()} skips loudly where Cinder is not installed or we are
 * not root.
 */
public final class RealCinder implements AutoCloseable {
  /** Heartbeat every second; down after 4 s without one (Cinder keeps it: 4 > 1). */
  public static final int REPORT_INTERVAL = 1;

  public static final int SERVICE_DOWN_TIME = 4;

  private final Path dir;
  private final String databaseUrl;
  private final String transportUrl;
  private final List<Service> started = new ArrayList<>();

  /** One running Cinder service. */
  public record Service(String binary, String host, Process process, Path log, Path conf) {
    public long pid() {
      return process.pid();
    }

    /** The service's log so far; empty until the service has opened it. */
    public String logText() {
      try {
        return Files.exists(log) ? Files.readString(log) : "";
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public RealCinder(Path dir, String databaseUrl, String transportUrl) {
    this.dir = dir;
    this.databaseUrl = databaseUrl;
    this.transportUrl = transportUrl;
  }

  /** Skips the calling test class, loudly, unless Debian's Cinder, RabbitMQ and root are here. */
  public static void assumeAvailable() {
    String missing = null;
    if (TestMariaDb.which("cinder-manage").isEmpty()
        || TestMariaDb.which("cinder-scheduler").isEmpty()
        || TestMariaDb.which("cinder-volume").isEmpty()
        || TestMariaDb.which("cinder-backup").isEmpty()) {
      missing =
          "Debian's Cinder packages (apt-get install cinder-scheduler cinder-volume"
              + " cinder-backup)";
    } else if (!TestRabbitMq.installed()) {
      missing = "rabbitmq-server";
    } else if (!"root".equals(System.getProperty("user.name"))) {
      missing = "root (Cinder's services need it)";
    }
    if (missing != null) {
      System.err.println("\n*** SKIPPING the real-Cinder tier: no " + missing + " ***\n");
    }
    Assumptions.assumeTrue(missing == null, "SKIPPED real-Cinder tier: no " + missing);
  }

  /**
   * Skips the calling test class, loudly, unless backups of a volume can run here: os-brick asks
   * {@code dmidecode} for the system UUID before any attach (scripts/testenv/install.sh installs
   * it).
   */
  public static void assumeBackupsCanRun() {
    boolean ok = TestMariaDb.which("dmidecode").isPresent();
    if (!ok) {
      System.err.println(
          "\n*** SKIPPING real backups: no dmidecode (apt-get install dmidecode) ***\n");
    }
    Assumptions.assumeTrue(ok, "SKIPPED real backups: no dmidecode");
  }

  /**
   * Skips the calling test class, loudly, unless pods can be run here as {@link PodSandbox}es with
   * Debian's Cinder, cinder-api included.
   */
  public static void assumePodsAvailable() {
    assumeAvailable();
    String missing =
        TestMariaDb.which("cinder-api").isEmpty()
            ? "cinder-api (apt-get install cinder-api)"
            : PodSandbox.unavailableReason().orElse(null);
    if (missing != null) {
      System.err.println("\n*** SKIPPING the real-Cinder pod tier: no " + missing + " ***\n");
    }
    Assumptions.assumeTrue(missing == null, "SKIPPED real-Cinder pod tier: no " + missing);
  }

  /** The [DEFAULT] options every test service gets, for ServicesTable.serviceDownTime. */
  public static Map<String, Map<String, String>> config() {
    return Map.of(
        "DEFAULT",
        Map.of(
            "report_interval", Integer.toString(REPORT_INTERVAL),
            "service_down_time", Integer.toString(SERVICE_DOWN_TIME)));
  }

  /** Writes a cinder.conf for a service on {@code host}; returns its path. */
  public Path writeConf(String name, String host) {
    return writeConf(name, host, Map.of());
  }

  /**
   * Writes a cinder.conf for a service on {@code host} with more options, by section, after the
   * usual ones (oslo.config lets the later value win); returns its path.
   */
  public Path writeConf(String name, String host, Map<String, Map<String, String>> more) {
    try {
      Path d = Files.createDirectories(dir.resolve(name));
      Files.createDirectories(d.resolve("state"));
      Files.createDirectories(d.resolve("lock"));
      Files.createDirectories(d.resolve("backups"));
      Map<String, String> defaults = new LinkedHashMap<>();
      defaults.put("host", host);
      defaults.put("transport_url", transportUrl);
      defaults.put("state_path", d.resolve("state").toString());
      defaults.put("auth_strategy", "noauth");
      defaults.put("use_stderr", "false");
      defaults.put("log_file", d.resolve("service.log").toString());
      defaults.put("report_interval", Integer.toString(REPORT_INTERVAL));
      defaults.put("service_down_time", Integer.toString(SERVICE_DOWN_TIME));
      defaults.put("scheduler_driver_init_wait_time", "2");
      defaults.put("graceful_shutdown_timeout", "2");
      defaults.put("enabled_backends", "fake");
      defaults.put("backup_driver", "cinder.backup.drivers.posix.PosixBackupDriver");
      defaults.put("backup_posix_path", d.resolve("backups").toString());
      StringBuilder conf = new StringBuilder("[DEFAULT]\n");
      defaults.forEach((k, v) -> conf.append(k).append(" = ").append(v).append('\n'));
      conf.append("[fake]\n")
          .append("volume_driver = cinder.tests.fake_driver.FakeLoggingVolumeDriver\n")
          .append("volume_backend_name = fake\n")
          .append("[database]\nconnection = ")
          .append(databaseUrl)
          .append("\nmax_retries = 1\nretry_interval = 1\n")
          .append("[oslo_concurrency]\nlock_path = ")
          .append(d.resolve("lock"))
          .append('\n');
      more.forEach(
          (section, options) -> {
            conf.append('[').append(section).append("]\n");
            options.forEach((k, v) -> conf.append(k).append(" = ").append(v).append('\n'));
          });
      Path file = d.resolve("cinder.conf");
      Files.writeString(file, conf.toString());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts {@code binary} (cinder-scheduler, cinder-volume or cinder-backup) as host {@code host};
   * a volume service's row is {@code host@fake}.
   */
  public Service start(String binary, String host) {
    return start(binary, host, Map.of(), Map.of());
  }

  /** As {@link #start(String, String)}, with more options (by section) and environment. */
  public Service start(
      String binary,
      String host,
      Map<String, Map<String, String>> more,
      Map<String, String> environment) {
    String name = binary + "-" + host + "-" + started.size();
    Path conf = writeConf(name, host, more);
    Path log = conf.getParent().resolve("service.log");
    Process p =
        TestProcesses.start(
            List.of(binary, "--config-file", conf.toString()),
            environment,
            conf.getParent().resolve("stdout.log"));
    Service s = new Service(binary, host, p, log, conf);
    started.add(s);
    return s;
  }

  /** Result of one run of a Cinder tool. */
  public record ToolRun(int exitCode, String output) {}

  /** Runs a tool (argv as CinderCommands builds it) with {@code conf} as its config file. */
  public static ToolRun run(List<String> argv, Path log) {
    try {
      Process p =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        TestProcesses.kill(p);
        throw new IllegalStateException(argv.get(0) + " did not finish in 120 s; see " + log);
      }
      return new ToolRun(p.exitValue(), Files.readString(log));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** SIGHUP: reset the service's cached version pins. */
  public void sighup(Service s) {
    TestProcesses.signal(s.pid(), "HUP");
  }

  /** SIGTERM, as the kubelet sends when a pod is deleted; does not wait. */
  public void terminate(Service s) {
    TestProcesses.signal(s.pid(), "TERM");
  }

  /** Ends a service abruptly, as a crashed pod does. */
  public void kill(Service s) {
    TestProcesses.kill(s.process());
  }

  /** Stops every service this instance started, by PID. */
  @Override
  public void close() {
    List<ProcessHandle> children =
        started.stream().flatMap(s -> s.process().descendants()).toList();
    started.forEach(s -> s.process().destroy());
    started.forEach(s -> TestProcesses.stop(s.process(), 5));
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
