package dev.cinderoperator.demo;

import dev.cinderoperator.api.BackupSpec;
import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.ComponentSpec;
import dev.cinderoperator.api.SecretKeyRef;
import dev.cinderoperator.api.SecretSource;
import dev.cinderoperator.api.VolumeBackendSpec;
import dev.cinderoperator.kube.OperatorSettings;
import dev.cinderoperator.realcinder.CinderRoots;
import dev.cinderoperator.realcinder.RealCinderEnvironment;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.SimulatedEnvironment;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The README's main job: an in-process cluster (mock API server, simulated controllers, kubelet and
 * Cinder) and the operator; deploys a CinderCluster, upgrades it one release and narrates.
 */
@Command(
    name = "cinder-operator-demo",
    mixinStandardHelpOptions = true,
    versionProvider = Demo.Version.class,
    showDefaultValues = true,
    sortOptions = false,
    description = "Deploy Cinder on a simulated cluster and upgrade it one release, live.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the upgrade completed and no invariant broke",
      "1:an invariant broke, or an error",
      "2:the run stalled or timed out (the reason is printed)"
    })
public final class Demo implements Callable<Integer> {
  static final String NS = "openstack";
  static final String NAME = "cinder";
  static final String REGISTRY = "registry.example.com/openstack/cinder:";

  @Option(
      names = "--from",
      defaultValue = "2023.2",
      paramLabel = "RELEASE",
      description = "Release to deploy.")
  String from;

  @Option(
      names = "--to",
      defaultValue = "2024.1",
      paramLabel = "RELEASE",
      description = "Release to upgrade to.")
  String to;

  @Option(
      names = "--timeout",
      defaultValue = "300",
      paramLabel = "SECONDS",
      description = "Give up on the deployment, and then on the upgrade, after this long.")
  int timeoutSeconds;

  @Option(
      names = "--real-cinder",
      description =
          "Run every pod as a container of real Cinder: Debian's 2026.1 -> 2026.2 when"
              + " scripts/testenv/roots.sh built their roots, else bookworm's 21.3.1 (needs root"
              + " and the test environment: eval \"$(scripts/testenv/up.sh)\").")
  boolean realCinder;

  @Option(
      names = "--keep-logs",
      description = "With --real-cinder: keep the pods' directories (Cinder's logs) afterwards.")
  boolean keepLogs;

  @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

  PrintStream out = System.out;

  // What the run deploys: the simulated demo cluster, or a small one on real Cinder.
  private String volumeDriver = "cinder.volume.drivers.rbd.RBDDriver";
  private int schedulers = 2;
  private int apis = 2;
  private int hddReplicas = 2;
  private String hddDriver = volumeDriver;
  private Map<String, Map<String, String>> config;

  public static void main(String[] args) {
    // Before any logger exists: the demo narrates; the operator's own log stays quiet.
    System.setProperty("log4j2.configurationFile", "log4j2-demo.xml");
    java.util.logging.LogManager.getLogManager().reset();
    System.exit(
        dev.cinderoperator.cli.Main.withErrorHandling(new CommandLine(new Demo())).execute(args));
  }

  /** The demo jar's version, from its manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Demo.class.getPackage().getImplementationVersion();
      return new String[] {"cinder-operator-demo " + (v == null ? "dev" : v)};
    }
  }

  /** Seconds since the JVM started: what a person waited for, start-up included. */
  static double uptime() {
    return java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
  }

  @Override
  public Integer call() throws Exception {
    if (!realCinder) {
      out.println(
          "cinder-operator demo: mock Kubernetes API + simulated controllers, kubelet and Cinder");
      try (SimulatedEnvironment env =
          SimulatedEnvironment.start(
              SimConfig.realistic().withNamespace(NS),
              OperatorSettings.defaults()
                  .withPollIntervals(Duration.ofMillis(250), Duration.ofSeconds(5)))) {
        env.createSecrets(NS);
        return run(env, REGISTRY);
      }
    }
    return runOnRealCinder();
  }

  /**
   * {@code --real-cinder}: the real release pair when its roots are built (2026.1 to 2026.2 from
   * Debian's archive), else Debian bookworm's 21.3.1 with the imitated older release, saying which
   * and why.
   */
  private int runOnRealCinder() throws Exception {
    var unavailable = RealCinderEnvironment.unavailableReason();
    if (unavailable.isPresent()) {
      out.println("--real-cinder is not possible here: " + unavailable.get());
      return 2;
    }
    RealCinderEnvironment.Releases releases;
    try {
      releases = RealCinderEnvironment.Releases.of(CinderRoots.fromEnvironment().pair());
      out.println("real releases: " + releases.description());
    } catch (CinderRoots.Unavailable e) {
      var bookworm = RealCinderEnvironment.Releases.bookwormUnavailableReason();
      if (bookworm.isPresent()) {
        out.println(
            "--real-cinder is not possible here: no release roots ("
                + e.getMessage()
                + ") and "
                + bookworm.get());
        return 2;
      }
      releases = RealCinderEnvironment.Releases.bookworm();
      out.println("no real release pair (" + e.getMessage() + ")");
      out.println("using the bookworm tier instead: " + releases.description());
    }
    var parsed = commandSpec.commandLine().getParseResult();
    for (String[] option :
        List.of(
            new String[] {"--from", from, releases.sourceRelease()},
            new String[] {"--to", to, releases.targetRelease()})) {
      if (parsed.hasMatchedOption(option[0]) && !option[1].equals(option[2])) {
        out.println(
            "--real-cinder runs the releases whose images are on this machine ("
                + releases.sourceRelease()
                + " -> "
                + releases.targetRelease()
                + "); "
                + option[0]
                + " "
                + option[1]
                + " is not one of them");
        return 2;
      }
    }
    java.nio.file.Path workDir = java.nio.file.Files.createTempDirectory("cinder-demo-");
    RealCinderEnvironment.Backing backing;
    try {
      backing = RealCinderEnvironment.Backing.fromTestenv(workDir);
    } catch (IllegalStateException e) {
      out.println(
          "--real-cinder needs the private MariaDB and RabbitMQ: run"
              + " eval \"$(scripts/testenv/up.sh)\" first ("
              + e.getMessage()
              + ")");
      deleteQuietly(workDir);
      return 2;
    }
    from = releases.sourceRelease();
    to = releases.targetRelease();
    volumeDriver = "cinder.tests.fake_driver.FakeLoggingVolumeDriver";
    hddDriver = "cinder.tests.fake_driver.FakeHAReplicatedLoggingVolumeDriver";
    schedulers = 1;
    apis = 2;
    hddReplicas = 2;
    // what a test machine needs (a 1 s heartbeat, service_down_time 10 s, ...), through the
    // CinderCluster: what the operator renders and compares with is what runs
    config = new LinkedHashMap<>(RealCinderEnvironment.testConfig());
    config.put("coordination", Map.of("backend_url", coordinationUrl(backing.databaseUrl())));
    out.println(
        "cinder-operator demo on REAL Cinder: mock Kubernetes API, simulated controllers and"
            + " kubelet; every pod a container of its image running Debian's Cinder");
    out.println(
        "Cinder's logs (each container's output): " + workDir + "/" + NS + "/<pod>-<n>/output.log");
    int code;
    try (RealCinderEnvironment real =
        RealCinderEnvironment.start(
            backing,
            NS,
            OperatorSettings.defaults()
                .withPollIntervals(Duration.ofMillis(500), Duration.ofSeconds(5)),
            releases)) {
      code = run(real.env(), RealCinderEnvironment.REGISTRY);
      out.println(
          "== service_down_time in force: "
              + dev.cinderoperator.cinder.ServicesTable.serviceDownTime(config).toSeconds()
              + " s (spec.config; the operator judged the volume-service gaps above with it)");
      out.println("== what the real services logged about their RPC pins, in order");
      for (var r : real.runtime().runs()) {
        for (String line : r.logText().split("\n")) {
          boolean pin = line.contains("RPC version") && line.contains("as minimum service version");
          if (pin || line.contains("Resetting cached RPC version pins")) {
            String text = line.contains("] ") ? line.substring(line.lastIndexOf("] ") + 2) : line;
            out.println("   " + r.pod() + ": " + text.replace(" as minimum service version.", ""));
          }
        }
      }
    }
    if (keepLogs) {
      out.println("Cinder's logs kept in " + workDir);
    } else {
      deleteQuietly(workDir);
      out.println("removed " + workDir + " (--keep-logs keeps it)");
    }
    return code;
  }

  /** tooz's MySQL driver on Cinder's own database: every active/active member reaches it. */
  static String coordinationUrl(String databaseUrl) {
    return databaseUrl.replaceFirst("^mysql\\+pymysql://", "mysql://").replaceAll("\\?.*$", "");
  }

  private static void deleteQuietly(java.nio.file.Path dir) {
    try (var files = java.nio.file.Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (java.io.IOException e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }

  private int run(SimulatedEnvironment env, String registry) throws Exception {
    double startup = uptime();
    out.printf(
        "   up in %.1fs: API server, simulated cluster and operator (JVM start included)%n",
        startup);
    long t0 = System.nanoTime();
    env.client().resource(cluster(registry)).create();
    out.println();
    out.println(
        "== deploying Cinder "
            + from
            + " ("
            + schedulers
            + " scheduler(s), backend ceph-ssd x1"
            + (hddReplicas > 0 ? " and ceph-hdd x" + hddReplicas + " active/active" : "")
            + ", 1 backup, "
            + apis
            + " API)");
    Narrator narrator = new Narrator(env, out);
    Narrator.Outcome deployed =
        narrator.until(cc -> from.equals(release(cc)) && "Ready".equals(phase(cc)), timeoutSeconds);
    if (deployed != Narrator.Outcome.DONE) {
      return fail(env, deployed, "the deployment");
    }
    double deploySeconds = seconds(t0);
    String services = narrator.services();
    out.printf("   Ready in %.1fs%s%n", deploySeconds, services.isEmpty() ? "" : ": " + services);

    out.println();
    out.println(
        "== upgrading "
            + from
            + " -> "
            + to
            + ": kubectl patch cc cinder --type merge -p '{\"spec\":{\"release\":\""
            + to
            + "\",\"image\":\""
            + registry
            + to
            + "\"}}'");
    long t1 = System.nanoTime();
    env.editSpec(
        NS,
        NAME,
        spec -> {
          spec.setRelease(to);
          spec.setImage(registry + to);
        });
    Narrator.Outcome upgraded =
        narrator.until(cc -> to.equals(release(cc)) && "Ready".equals(phase(cc)), timeoutSeconds);
    if (upgraded != Narrator.Outcome.DONE) {
      return fail(env, upgraded, "the upgrade");
    }
    double upgradeSeconds = seconds(t1);
    out.println();
    narrator.summary(upgradeSeconds);
    int violations = env.sim().invariants().violations().size();
    out.printf("invariants broken during the run: %d%n", violations);
    out.printf(
        "total %.1fs (start-up %.1fs, deployment %.1fs, upgrade %.1fs)%n",
        uptime(), startup, deploySeconds, upgradeSeconds);
    return violations == 0 ? 0 : 1;
  }

  /** A stall ends the run at once with its reason; a timeout with the status as it was. */
  private int fail(SimulatedEnvironment env, Narrator.Outcome outcome, String what) {
    CinderCluster cc = env.get(NS, NAME);
    if (outcome == Narrator.Outcome.STALLED) {
      var stalled = cc.getStatus().condition("Stalled");
      out.println(
          "!! "
              + what
              + " stalled: "
              + stalled.map(c -> c.getReason() + ": " + c.getMessage()).orElse("no reason given"));
      var u = cc.getStatus().getUpgrade();
      if (u != null && u.getBlockedBy() != null) {
        out.println("   blocked by: " + u.getBlockedBy());
      }
      return 2;
    }
    out.println(
        "!! "
            + what
            + " did not finish within "
            + timeoutSeconds
            + "s (--timeout); status: "
            + (cc == null
                ? "none"
                : env.client().getKubernetesSerialization().asYaml(cc.getStatus())));
    return 2;
  }

  private CinderCluster cluster(String registry) {
    CinderCluster cc = new CinderCluster();
    cc.setMetadata(new ObjectMetaBuilder().withName(NAME).withNamespace(NS).build());
    CinderClusterSpec spec = new CinderClusterSpec();
    spec.setRelease(from);
    spec.setImage(registry + from);
    spec.setDatabase(new SecretSource(new SecretKeyRef("cinder-db", "connection")));
    spec.setMessaging(new SecretSource(new SecretKeyRef("cinder-rabbitmq", "transport_url")));
    spec.setScheduler(new ComponentSpec(schedulers));
    spec.setApi(new ComponentSpec(apis));
    VolumeBackendSpec ssd = new VolumeBackendSpec("ceph-ssd");
    ssd.setConfig(Map.of("volume_driver", volumeDriver));
    List<VolumeBackendSpec> volumes = new ArrayList<>(List.of(ssd));
    if (hddReplicas > 0) {
      VolumeBackendSpec hdd = new VolumeBackendSpec("ceph-hdd");
      hdd.setReplicas(hddReplicas);
      hdd.setActiveActive(true);
      hdd.setConfig(Map.of("volume_driver", hddDriver));
      volumes.add(hdd);
      // its members share their locks through a coordination backend (tooz)
      spec.setConfig(Map.of("coordination", Map.of("backend_url", "etcd3+http://etcd:2379")));
    }
    spec.setVolumes(volumes);
    if (config != null) {
      spec.setConfig(config);
    }
    BackupSpec backup = new BackupSpec();
    backup.setReplicas(1);
    backup.setConfig(Map.of("backup_driver", "cinder.backup.drivers.posix.PosixBackupDriver"));
    spec.setBackup(backup);
    cc.setSpec(spec);
    return cc;
  }

  static String release(CinderCluster cc) {
    return cc == null || cc.getStatus() == null ? null : cc.getStatus().getRelease();
  }

  static String phase(CinderCluster cc) {
    return cc == null || cc.getStatus() == null || cc.getStatus().getPhase() == null
        ? null
        : cc.getStatus().getPhase().name();
  }

  static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
