package dev.cinderoperator.demo;

import dev.cinderoperator.api.BackupSpec;
import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.ComponentSpec;
import dev.cinderoperator.api.SecretKeyRef;
import dev.cinderoperator.api.SecretSource;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.api.VersionPin;
import dev.cinderoperator.api.VolumeBackendSpec;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.kube.OperatorSettings;
import dev.cinderoperator.realcinder.CinderRoots;
import dev.cinderoperator.realcinder.RealCinderEnvironment;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.SimulatedEnvironment;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
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

  /** Polls the CinderCluster and its Events and prints what a person wants to watch. */
  static final class Narrator {
    private final SimulatedEnvironment env;
    private final PrintStream out;
    private final Set<String> seenEvents = new HashSet<>();
    // Steps as their Events announce them (a step shorter than a display refresh is not missed),
    // timed by the times the operator recorded those Events.
    private final Map<String, java.time.Instant> stepStarted = new LinkedHashMap<>();
    private java.time.Instant completedAt;
    private final List<String> gaps = new ArrayList<>();
    private int podsReplaced;
    private List<VersionPin> pins = List.of();
    private List<VersionPin> targets = List.of();
    private final List<String> awaitingReport = new ArrayList<>();
    private String pinsBeforeUnpin;

    Narrator(SimulatedEnvironment env, PrintStream out) {
      this.env = env;
      this.out = out;
    }

    /** How a wait ended. */
    enum Outcome {
      DONE,
      /** The CinderCluster is Stalled: it needs a person, so the demo stops at once. */
      STALLED,
      TIMED_OUT
    }

    Outcome until(java.util.function.Predicate<CinderCluster> done, int timeoutSeconds)
        throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
      while (System.nanoTime() < deadline) {
        CinderCluster cc = env.get(NS, NAME);
        tick(cc);
        if (done.test(cc)) {
          // Events are written in the background: one more refresh shows those of the last act
          // (a job's end) in this part of the story rather than the next.
          Thread.sleep(300);
          tick(env.get(NS, NAME));
          return Outcome.DONE;
        }
        if ("Stalled".equals(phase(cc))) {
          return Outcome.STALLED;
        }
        Thread.sleep(200); // a display refresh, not a wait on a condition
      }
      return Outcome.TIMED_OUT;
    }

    private void tick(CinderCluster cc) {
      UpgradeStatus u = cc == null || cc.getStatus() == null ? null : cc.getStatus().getUpgrade();
      List<Event> events =
          new ArrayList<>(env.client().v1().events().inNamespace(NS).list().getItems());
      // In the order the operator recorded them: creationTimestamp has whole seconds only.
      events.sort(
          java.util.Comparator.comparing(Narrator::recordedAt)
              .thenComparing(e -> e.getMetadata().getName()));
      for (Event e : events) {
        if (!seenEvents.add(e.getMetadata().getName())) {
          continue;
        }
        String reason = e.getReason();
        if (reason.equals("UpgradeStarted")) {
          step(UpgradeStep.Preflight, u, e);
          continue;
        }
        if (reason.equals("UpgradeComplete")) {
          step(UpgradeStep.Complete, u, e);
          completedAt = recordedAt(e);
          continue;
        }
        if (isStep(reason)) {
          step(UpgradeStep.valueOf(reason), u, e);
          continue;
        }
        switch (reason) {
          case "PodReplaced" -> {
            reportNewServices(u); // the previous pod's report first: its gate passed
            podsReplaced++;
            out.printf(
                "     %s  %s%n", bar(u), e.getMessage().replace("replacing pod ", "replaced "));
            awaitingReport.add(e.getMessage().replace("replacing pod ", "").split(":")[0]);
          }
          case "PinsRecorded" -> {
            // Recorded in status before the Event; read afresh in case cc predates both.
            CinderCluster now = env.get(NS, NAME);
            UpgradeStatus recorded = now == null ? null : now.getStatus().getUpgrade();
            if (recorded != null && recorded.getPins() != null) {
              pins = recorded.getPins();
              targets = recorded.getTargets();
              out.println("     pins (what new services talk down to): " + pinText(pins));
              out.println(
                  "     targets (what "
                      + recorded.getToRelease()
                      + " reports):        "
                      + pinText(targets));
            }
          }
          case "PodSignalled",
              "PodRestarted",
              "ServiceRowRemoved",
              "JobStarted",
              "JobFinished",
              "BackupDrainStarted",
              "BackupDrainFinished" ->
              out.printf("     %s%n", e.getMessage());
          case "VolumeServiceGap" -> {
            // Under the replacement of its own backend's pod, after that pod's report.
            reportNewServices(u);
            gaps.add(e.getMessage());
            out.printf("       %s%n", e.getMessage());
          }
          default -> {
            if ("Warning".equals(e.getType())) {
              String first = e.getMessage().lines().findFirst().orElse("");
              out.printf("     WARNING %s: %s%n", e.getReason(), first);
            }
          }
        }
      }
      reportNewServices(u);
    }

    private static boolean isStep(String reason) {
      for (UpgradeStep s : UpgradeStep.values()) {
        if (s.name().equals(reason)) {
          return true;
        }
      }
      return false;
    }

    private void step(UpgradeStep now, UpgradeStatus u, Event e) {
      if (stepStarted.containsKey(now.name())) {
        return;
      }
      stepStarted.put(now.name(), recordedAt(e));
      if (now == UpgradeStep.RollingApi) {
        // Every service reports the target now, yet processes keep the pins they started with.
        pinsBeforeUnpin = processPins();
        if (pinsBeforeUnpin != null) {
          out.println(
              "     cinder-scheduler-0 still holds the pins it started with: " + pinsBeforeUnpin);
        }
      }
      // The status is written before the step's Event; read afresh in case u predates both.
      CinderCluster fresh = env.get(NS, NAME);
      UpgradeStatus latest = fresh == null ? u : fresh.getStatus().getUpgrade();
      out.printf("   %-18s %s%n", "[" + now + "]", bar(latest == null ? u : latest));
    }

    private static java.time.Instant recordedAt(Event e) {
      for (String t :
          new String[] {e.getFirstTimestamp(), e.getMetadata().getCreationTimestamp()}) {
        if (t != null) {
          try {
            return java.time.Instant.parse(t);
          } catch (java.time.format.DateTimeParseException ignored) {
            // try the next one
          }
        }
      }
      return java.time.Instant.EPOCH;
    }

    /** Prints, once, what a replaced pod's new service reports in the services table. */
    private void reportNewServices(UpgradeStatus u) {
      if (u == null || awaitingReport.isEmpty() || u.getTargets() == null) {
        return;
      }
      List<ServiceRow> rows = rows();
      for (var it = awaitingReport.iterator(); it.hasNext(); ) {
        String pod = it.next();
        for (ServiceRow row : rows) {
          boolean own = row.host().equals(pod) || row.host().startsWith(pod + "@");
          boolean atTarget =
              u.getTargets().stream()
                  .anyMatch(
                      t ->
                          t.getBinary().equals(row.binary())
                              && t.getRpcVersion().equals(row.rpcVersion()));
          if (own && atTarget) {
            out.printf(
                "       %s: new service up, reports rpc %s objects %s%n",
                row.host(), row.rpcVersion(), row.objectVersion());
            it.remove();
            break;
          }
        }
      }
    }

    private List<ServiceRow> rows() {
      try {
        return env.sim().simServicesTable(NS, NAME).liveRows();
      } catch (RuntimeException e) {
        return List.of();
      }
    }

    /**
     * The pins cinder-scheduler-0's process holds for volume, as the simulated Cinder caches them.
     */
    private String processPins() {
      return env.sim()
          .cinder()
          .process(NS, NAME + "-scheduler-0")
          .map(
              p ->
                  p.pins().entrySet().stream()
                      .map(
                          e ->
                              e.getKey().binaryName().replace("cinder-", "")
                                  + " "
                                  + e.getValue().rpcVersion())
                      .sorted()
                      .collect(Collectors.joining(", ")))
          .orElse(null);
    }

    String services() {
      return rows().stream()
          .map(r -> r.host() + " " + r.rpcVersion())
          .sorted()
          .collect(Collectors.joining(", "));
    }

    void summary(double total) {
      out.println("== summary");
      List<Map.Entry<String, java.time.Instant>> steps = new ArrayList<>(stepStarted.entrySet());
      for (int i = 0; i < steps.size(); i++) {
        java.time.Instant end =
            i + 1 < steps.size()
                ? steps.get(i + 1).getValue()
                : completedAt != null ? completedAt : steps.get(i).getValue();
        double secs = Duration.between(steps.get(i).getValue(), end).toMillis() / 1000.0;
        out.printf("   %-18s %5.1fs%n", steps.get(i).getKey(), secs);
      }
      out.printf("   %-18s %5.1fs%n", "upgrade total", total);
      out.printf("   pods replaced one at a time: %d%n", podsReplaced);
      out.println("   pins recorded at Pinning: " + pinText(pins));
      if (pinsBeforeUnpin != null) {
        out.println(
            "   cinder-scheduler-0's cached pins before SIGHUP: "
                + pinsBeforeUnpin
                + "; after: "
                + processPins());
      }
      out.println("   every service reports the target: " + pinText(targets));
      out.println("   services now: " + services());
      out.println(
          "   volume-service gaps (active/passive backends): "
              + (gaps.isEmpty() ? "none measured" : String.join("; ", gaps)));
    }

    private static String pinText(List<VersionPin> pins) {
      return pins.stream()
          .map(
              p ->
                  p.getBinary().replace("cinder-", "")
                      + " "
                      + p.getRpcVersion()
                      + "/"
                      + p.getObjectVersion())
          .collect(Collectors.joining(", "));
    }

    private static String bar(UpgradeStatus u) {
      int done = u == null || u.getCompletedSteps() == null ? 0 : u.getCompletedSteps();
      int total =
          u == null || u.getTotalSteps() == null || u.getTotalSteps() == 0 ? 1 : u.getTotalSteps();
      int width = 20;
      int filled = Math.min(width, done * width / total);
      return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + done + "/" + total;
    }
  }
}
