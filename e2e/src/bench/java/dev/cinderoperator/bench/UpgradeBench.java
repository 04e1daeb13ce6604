package dev.cinderoperator.bench;

import static org.awaitility.Awaitility.await;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.cinder.ServicesTable;
import dev.cinderoperator.e2e.Clusters;
import dev.cinderoperator.sim.SimulatedEnvironment;
import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import dev.cinderoperator.sim.events.SimEvent.ServiceRowEvent;
import dev.cinderoperator.sim.events.SimEventLog;
import dev.cinderoperator.sim.invariants.InvariantChecker;
import dev.cinderoperator.workload.Component;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Sections 1, 2 and 4 of the benchmark issue: the operator's upgrade time against the physical
 * limit and against a naive roll, the volume service gap, and the database load. Prints and writes
 * figures; asserts nothing about time.
 */
// only under -Pbench: surefire excludes the tag, so `-Dtest=!X` cannot pick it up
@Tag("bench")
class UpgradeBench {
  static final String NS = "bench";
  static final String NAME = "cinder";

  final BenchSettings settings = BenchSettings.fromSystemProperties();

  @Test
  void upgradeTimeGapAndDatabaseLoad() {
    Map<String, Object> upgrade = new LinkedHashMap<>();
    Map<String, Object> gapPerShape = new LinkedHashMap<>();
    Map<String, Object> db = new LinkedHashMap<>();
    List<Double> allGaps = new ArrayList<>();
    List<Map<String, Object>> rows = new ArrayList<>();
    double serviceDownTime = 0;
    Map<String, Object> dbLarge = null;
    for (var shape :
        List.<Map.Entry<String, Function<String, CinderCluster>>>of(
            Map.entry("small", n -> settings.configured(BenchClusters.small(n, NS))),
            Map.entry(
                "large",
                n -> settings.configured(BenchClusters.large(n, NS, settings.scaleBackends()))))) {
      if (!settings.upgradeShapes().contains(shape.getKey())) {
        continue;
      }
      OperatorRun op = operatorRun(shape.getValue().apply(NAME));
      NaiveRun naive = naiveRun(shape.getValue().apply(NAME));
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("shape", BenchClusters.shape(op.cluster));
      r.put("operatorSeconds", op.seconds);
      r.put("limitSeconds", PhysicalLimit.seconds(op.limit.total()));
      r.put("ratio", BenchOutput.round2(op.seconds / PhysicalLimit.seconds(op.limit.total())));
      r.put("naiveSeconds", naive.seconds);
      r.put("naiveViolations", naive.violations.size());
      r.put("operatorViolations", op.violations);
      rows.add(r);
      Map<String, Object> detail = new LinkedHashMap<>(r);
      detail.put("limit", op.limit.describe());
      detail.put("warmUp", op.warmUp.describe());
      detail.put("stepSeconds", op.stepSeconds);
      detail.put("reactionAfterReadyMs", op.reaction);
      detail.put("timelineMs", op.timeline);
      detail.put("podsCreated", op.podsCreated);
      detail.put("naiveViolationsByInvariant", naive.byInvariant());
      upgrade.put(shape.getKey(), detail);

      allGaps.addAll(op.gaps);
      serviceDownTime = op.serviceDownTimeSeconds;
      gapPerShape.put(shape.getKey(), gapSummary(op.gaps, op.serviceDownTimeSeconds));
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("idleQueriesPerSecondPerCluster", op.idleQps);
      d.put("upgradeQueriesPerSecondPerCluster", op.upgradeQps);
      d.put("idleReadsPerIdlePoll", op.idleReadsPerPoll);
      db.put(shape.getKey(), d);
      dbLarge = d;
    }
    upgrade.put("settings", settings.describe());
    BenchOutput.table("Upgrade " + BenchClusters.FROM + " -> " + BenchClusters.TO, rows);
    BenchOutput.write(settings.outputDir(), "upgrade.json", upgrade);

    Map<String, Object> gap = gapSummary(allGaps, serviceDownTime);
    gap.put(
        "targetSeconds",
        PhysicalLimit.seconds(settings.podStart().plus(settings.reportInterval())));
    gap.put("perShape", gapPerShape);
    BenchOutput.table(
        "Volume service gap (active/passive backends)", List.of(without(gap, "perShape")));
    BenchOutput.write(settings.outputDir(), "gap.json", gap);

    Map<String, Object> dbOut = new LinkedHashMap<>(dbLarge);
    dbOut.put("perShape", db);
    dbOut.put("pollIntervalMs", settings.pollInterval().toMillis());
    dbOut.put("idlePollIntervalMs", settings.idlePollInterval().toMillis());
    BenchOutput.table("Database statements (large cluster)", List.of(without(dbOut, "perShape")));
    BenchOutput.write(settings.outputDir(), "db.json", dbOut);
  }

  // ---- the operator's upgrade

  record OperatorRun(
      CinderCluster cluster,
      double seconds,
      PhysicalLimit limit,
      int violations,
      Map<String, Double> stepSeconds,
      Map<String, Object> reaction,
      long podsCreated,
      List<Double> gaps,
      double serviceDownTimeSeconds,
      double idleQps,
      double upgradeQps,
      double idleReadsPerPoll,
      Map<String, Object> timeline,
      OperatorWarmUp warmUp) {}

  OperatorRun operatorRun(CinderCluster cc) {
    ReconcileTimer timer = new ReconcileTimer();
    QueryCounter queries = new QueryCounter();
    try (SimulatedEnvironment env =
        SimulatedEnvironment.start(
            settings.simConfig().withNamespace(NS),
            settings.operatorSettings(),
            new SimulatedEnvironment.Hooks(timer, queries))) {
      env.createSecrets(NS);
      OperatorWarmUp warmUp = OperatorWarmUp.run(env, NS, settings);
      env.client().resource(cc).create();
      await()
          .atMost(10, TimeUnit.MINUTES)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> BenchClusters.readyOn(env, NS, NAME, BenchClusters.FROM));

      // Idle: three idle poll intervals with nothing to do.
      Duration window = settings.idlePollInterval().multipliedBy(3);
      long q0 = queries.statements();
      long r0 = queries.reads();
      sleep(window);
      double idleQps = (queries.statements() - q0) / (window.toMillis() / 1000.0);
      double idleReadsPerPoll = (queries.reads() - r0) / 3.0;

      Map<String, Double> stepsBefore = stepSeconds(env);
      Instant start = Instant.now();
      long q1 = queries.statements();
      BenchClusters.requestUpgrade(env, NS, NAME);
      await()
          .atMost(30, TimeUnit.MINUTES)
          .pollInterval(Duration.ofMillis(20))
          .until(() -> BenchClusters.readyOn(env, NS, NAME, BenchClusters.TO));
      Instant end = Instant.now();
      double seconds = Duration.between(start, end).toMillis() / 1000.0;
      double upgradeQps = (queries.statements() - q1) / seconds;

      SimEventLog rec = env.sim().recorder();
      int jobs =
          rec.of(JobRunEvent.class, j -> NAME.equals(j.cluster()) && !j.at().isBefore(start))
              .size();
      CinderCluster stored = env.get(NS, NAME);
      PhysicalLimit limit = PhysicalLimit.of(stored, jobs, settings);
      List<PodEvent> pods =
          rec.of(
              PodEvent.class,
              p -> NAME.equals(p.cluster()) && !p.at().isBefore(start) && isService(p));
      return new OperatorRun(
          stored,
          seconds,
          limit,
          env.sim().invariants().violations().size(),
          since(stepsBefore, stepSeconds(env)),
          reactionAfterReady(pods),
          pods.stream().filter(p -> p.kind() == PodEvent.Kind.CREATED).count(),
          gaps(rec, start),
          ServicesTable.serviceDownTime(stored.getSpec().configOrEmpty()).toMillis() / 1000.0,
          BenchOutput.round2(idleQps),
          BenchOutput.round2(upgradeQps),
          BenchOutput.round2(idleReadsPerPoll),
          UpgradeTimeline.of(rec, NAME, start),
          warmUp);
    }
  }

  /** Seconds spent in each upgrade step so far, from the operator's own step timer. */
  static Map<String, Double> stepSeconds(SimulatedEnvironment env) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Timer t : env.meters().find("cinder_operator_upgrade_step_duration").timers()) {
      out.put(t.getId().getTag("step"), t.totalTime(TimeUnit.SECONDS));
    }
    return out;
  }

  /** Each step's seconds after {@code before} (the timer is not per cluster: the warm-up's too). */
  static Map<String, Double> since(Map<String, Double> before, Map<String, Double> after) {
    Map<String, Double> out = new LinkedHashMap<>();
    after.forEach(
        (step, total) -> out.put(step, BenchOutput.round2(total - before.getOrDefault(step, 0.0))));
    return out;
  }

  /**
   * How long the operator took, after a replaced scheduler/volume/backup pod became Ready, to
   * delete the next one: the operator's share of each serial pod replacement.
   */
  static Map<String, Object> reactionAfterReady(List<PodEvent> pods) {
    List<Long> reactions = new ArrayList<>();
    Instant lastReady = null;
    for (PodEvent p : pods) {
      if (Component.API.label().equals(p.component())) {
        continue;
      }
      if (p.kind() == PodEvent.Kind.READY) {
        lastReady = p.at();
      } else if (p.kind() == PodEvent.Kind.DELETED && lastReady != null) {
        reactions.add(Duration.between(lastReady, p.at()).toMillis());
        lastReady = null;
      }
    }
    Collections.sort(reactions);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", reactions.size());
    m.put("medianMs", reactions.isEmpty() ? 0 : reactions.get(reactions.size() / 2));
    m.put("maxMs", reactions.isEmpty() ? 0 : reactions.get(reactions.size() - 1));
    m.put("totalMs", reactions.stream().mapToLong(Long::longValue).sum());
    return m;
  }

  /**
   * Per active/passive backend host: from the old service's last row write (heartbeat) before the
   * upgrade replaced it to the new service's first (its registration on start).
   */
  static List<Double> gaps(SimEventLog rec, Instant since) {
    Map<String, List<ServiceRowEvent>> byHost =
        rec
            .of(
                ServiceRowEvent.class,
                e -> NAME.equals(e.cluster()) && "cinder-volume".equals(e.row().binary()))
            .stream()
            .collect(Collectors.groupingBy(e -> e.row().host(), TreeMap::new, Collectors.toList()));
    List<Double> gaps = new ArrayList<>();
    Set<ServiceRowEvent.Change> starts =
        Set.of(ServiceRowEvent.Change.REGISTERED, ServiceRowEvent.Change.CREATED);
    for (List<ServiceRowEvent> events : byHost.values()) {
      ServiceRowEvent previous = null;
      for (ServiceRowEvent e : events) {
        if (!e.at().isBefore(since) && starts.contains(e.change()) && previous != null) {
          gaps.add(Duration.between(previous.at(), e.at()).toMillis() / 1000.0);
          break;
        }
        previous = e;
      }
    }
    return gaps;
  }

  static Map<String, Object> gapSummary(List<Double> gaps, double serviceDownTime) {
    List<Double> sorted = new ArrayList<>(gaps);
    Collections.sort(sorted);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("backends", sorted.size());
    m.put("maxGapSeconds", sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1));
    m.put("medianGapSeconds", sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2));
    m.put("serviceDownTimeSeconds", serviceDownTime);
    return m;
  }

  // ---- the naive roll

  record NaiveRun(double seconds, List<InvariantChecker.Violation> violations) {
    Map<String, Long> byInvariant() {
      return violations.stream()
          .collect(
              Collectors.groupingBy(
                  v -> v.invariant().name(), TreeMap::new, Collectors.counting()));
    }
  }

  NaiveRun naiveRun(CinderCluster cc) {
    try (SimulatedEnvironment env =
        SimulatedEnvironment.start(
            settings.simConfig().withNamespace(NS), settings.operatorSettings())) {
      env.createSecrets(NS);
      OperatorWarmUp warmUp = OperatorWarmUp.run(env, NS, settings);
      env.client().resource(cc).create();
      await()
          .atMost(10, TimeUnit.MINUTES)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> BenchClusters.readyOn(env, NS, NAME, BenchClusters.FROM));
      env.stopOperator();
      env.sim().invariants().clearViolations();
      CinderCluster deployed = env.get(NS, NAME);
      deployed.getSpec().setRelease(BenchClusters.TO);
      deployed.getSpec().setImage(Clusters.REGISTRY + BenchClusters.TO);
      var spec = deployed.getSpec();
      int expected =
          spec.getScheduler().getReplicas()
              + spec.getVolumes().stream().mapToInt(v -> v.getReplicas()).sum()
              + spec.backupReplicas()
              + spec.getApi().getReplicas();
      NaiveRoller roller = new NaiveRoller(env.client());
      Instant start = Instant.now();
      roller.roll(deployed, spec.getImage());
      await()
          .atMost(10, TimeUnit.MINUTES)
          .pollInterval(Duration.ofMillis(20))
          .until(() -> roller.done(deployed, spec.getImage(), expected));
      double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
      return new NaiveRun(seconds, env.sim().invariants().violations());
    }
  }

  static boolean isService(PodEvent p) {
    String c = p.component();
    return Component.SCHEDULER.label().equals(c)
        || Component.VOLUME.label().equals(c)
        || Component.BACKUP.label().equals(c)
        || Component.API.label().equals(c);
  }

  static Map<String, Object> without(Map<String, Object> m, String... keys) {
    Map<String, Object> copy = new LinkedHashMap<>(m);
    for (String key : keys) {
      copy.remove(key);
    }
    return copy;
  }

  /** A measurement window: time itself is what is waited for. */
  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during a measurement window", e);
    }
  }
}
