package dev.cinderoperator.bench;

import static org.awaitility.Awaitility.await;

import dev.cinderoperator.sim.SimulatedEnvironment;
import dev.cinderoperator.sim.apiserver.ApiCallRecorder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Section 3 of the benchmark issue: one operator, 1, 10 and 100 CinderClusters of 3/20/3/3 in one
 * simulated cluster. heapMiB and rssMiB are the whole process's (operator, simulated controllers,
 * kubelet and Cinder, and the mock API server); operatorHeapMiB is the operator's share, measured
 * by stopping it. Prints and writes figures; asserts nothing about time.
 */
// only under -Pbench: surefire excludes the tag, so `-Dtest=!X` cannot pick it up
@Tag("bench")
class ScaleBench {
  static final String NS = "scale";
  static final Set<String> READS = Set.of("get", "list", "watch");

  final BenchSettings settings = BenchSettings.fromSystemProperties();

  @Test
  void manyClustersOneOperator() {
    List<Map<String, Object>> results = new ArrayList<>();
    for (int count : settings.scaleCounts()) {
      results.add(run(count));
      BenchOutput.write(settings.outputDir(), "scale.json", results);
    }
    BenchOutput.table(
        "One operator, many clusters: deploy and steady state",
        results.stream()
            .map(
                r ->
                    UpgradeBench.without(
                        r, "upgrade", "writesAfterRestartByKind", "deployCpuSeconds"))
            .toList());
    List<Map<String, Object>> upgrades = new ArrayList<>();
    for (Map<String, Object> r : results) {
      if (r.get("upgrade") instanceof Map<?, ?> u) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("clusters", r.get("clusters"));
        u.forEach((k, v) -> row.put(String.valueOf(k), v));
        row.remove("violationDetails");
        row.remove("cpuSeconds");
        upgrades.add(row);
      }
    }
    BenchOutput.table("One operator, many clusters: all upgrading at once", upgrades);
  }

  Map<String, Object> run(int count) {
    ReconcileTimer timer = new ReconcileTimer();
    QueryCounter queries = new QueryCounter();
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("clusters", count);
    r.put("shape", "3/" + settings.scaleBackends() + "/3/3");
    // how long each wait (all Ready, all upgraded) may take before the figures say how many did
    r.put("windowSeconds", settings.scaleTimeout().toSeconds());
    try (SimulatedEnvironment env =
        SimulatedEnvironment.start(
            settings.simConfig().withNamespace(NS),
            settings.operatorSettings(),
            new SimulatedEnvironment.Hooks(timer, queries))) {
      env.createSecrets(NS);
      r.put("baselineHeapMiB", ProcessMemory.heapAfterGcMiB());
      List<String> names =
          IntStream.range(0, count).mapToObj(i -> String.format("c%03d", i)).toList();
      Instant start = Instant.now();
      CpuByThread cpu = new CpuByThread();
      for (String name : names) {
        env.client()
            .resource(settings.configured(BenchClusters.large(name, NS, settings.scaleBackends())))
            .create();
      }
      boolean allReady = awaitAll(env, names, BenchClusters.FROM);
      Map<String, Object> deployCpu = cpu.seconds();
      r.put("deployCpuSeconds", deployCpu);
      r.put("deployOperatorCpuSeconds", deployCpu.get("operator"));
      double readySeconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
      r.put("readySeconds", allReady ? readySeconds : null);
      r.put("readyClusters", countOrUnknown(env, names, BenchClusters.FROM));
      ReconcileTimer.Latencies deploy = timer.latencies();
      r.put("deployReconciles", deploy.count());
      r.put("deployReconcileP50Ms", deploy.p50Ms());
      r.put("deployReconcileP99Ms", deploy.p99Ms());

      // Steady state: let the last status writes settle, then measure a window.
      UpgradeBench.sleep(settings.idlePollInterval());
      env.calls().clear();
      timer.clear();
      long q0 = queries.statements();
      Duration window = settings.steadyWindow();
      UpgradeBench.sleep(window);
      double minutes = window.toMillis() / 60_000.0;
      ReconcileTimer.Latencies steady = timer.latencies();
      List<ApiCallRecorder.ApiCall> calls = env.calls().calls();
      r.put("reconcileP50Ms", steady.p50Ms());
      r.put("reconcileP99Ms", steady.p99Ms());
      r.put("steadyReconciles", steady.count());
      double heap = ProcessMemory.heapAfterGcMiB();
      r.put("heapMiB", heap);
      r.put("rssMiB", ProcessMemory.rssMiB());
      r.put("writesPerMinute", BenchOutput.round2(writes(calls) / minutes));
      r.put("readsPerMinute", BenchOutput.round2((calls.size() - writes(calls)) / minutes));
      r.put(
          "idleQueriesPerSecondPerCluster",
          BenchOutput.round2((queries.statements() - q0) / (window.toMillis() / 1000.0) / count));
      r.put("operatorHeapMiB", operatorHeapMiB(env, heap, r));
      if (allReady) {
        // the restarted operator first reconciles every cluster once; that must write nothing
        env.calls().clear();
        UpgradeBench.sleep(settings.idlePollInterval());
        List<ApiCallRecorder.ApiCall> afterRestart = env.calls().calls();
        r.put("writesAfterRestart", writes(afterRestart));
        r.put("writesAfterRestartByKind", byKind(afterRestart));
        r.put("upgrade", upgradeAll(env, names, timer, queries));
      }
    }
    return r;
  }

  Map<String, Object> upgradeAll(
      SimulatedEnvironment env, List<String> names, ReconcileTimer timer, QueryCounter queries) {
    Map<String, Object> u = new LinkedHashMap<>();
    env.calls().clear();
    timer.clear();
    env.sim().invariants().clearViolations();
    long q0 = queries.statements();
    Instant start = Instant.now();
    CpuByThread cpu = new CpuByThread();
    for (String name : names) {
      BenchClusters.requestUpgrade(env, NS, name);
    }
    boolean all = awaitAll(env, names, BenchClusters.TO);
    Map<String, Object> upgradeCpu = cpu.seconds();
    u.put("cpuSeconds", upgradeCpu);
    u.put("operatorCpuSeconds", upgradeCpu.get("operator"));
    double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
    List<ApiCallRecorder.ApiCall> calls = env.calls().calls();
    ReconcileTimer.Latencies l = timer.latencies();
    u.put("completed", countOrUnknown(env, names, BenchClusters.TO));
    u.put("seconds", all ? seconds : null);
    u.put("reconcileP50Ms", l.p50Ms());
    u.put("reconcileP99Ms", l.p99Ms());
    u.put("reconciles", l.count());
    u.put("heapMiB", ProcessMemory.heapAfterGcMiB());
    u.put("rssMiB", ProcessMemory.rssMiB());
    u.put("writesPerMinute", BenchOutput.round2(writes(calls) / (seconds / 60)));
    u.put("readsPerMinute", BenchOutput.round2((calls.size() - writes(calls)) / (seconds / 60)));
    u.put(
        "queriesPerSecondPerCluster",
        BenchOutput.round2((queries.statements() - q0) / seconds / names.size()));
    u.put("violations", env.sim().invariants().violations().size());
    if (all) { // the operator's share once every cluster upgraded (its caches now hold the jobs)
      u.put("operatorHeapMiB", operatorHeapMiB(env, (Double) u.get("heapMiB"), u));
    }
    u.put(
        "violationDetails",
        env.sim().invariants().violations().stream()
            .limit(20)
            .map(v -> v.invariant() + " " + v.cluster() + ": " + v.message())
            .toList());
    env.sim().invariants().violations().stream()
        .findFirst()
        .ifPresent(v -> u.put("firstViolationTimeline", timeline(env, v)));
    return u;
  }

  /**
   * The operator's own share of the heap: the process's heap after GC minus the same with the
   * operator stopped (its informer caches, reconcilers and registries released); the operator is
   * then started again. The rest is the simulator and the mock API server.
   */
  static double operatorHeapMiB(
      SimulatedEnvironment env, double heapWithOperator, Map<String, Object> r) {
    // Pod objects live in the operator's and the simulator's informer caches (the mock server
    // keeps JSON): their count shows the operator's caches were released before the measurement.
    String pod = io.fabric8.kubernetes.api.model.Pod.class.getName();
    r.put("podObjectsWithOperator", ProcessMemory.liveInstances(pod));
    env.stopOperator();
    double without = Double.MAX_VALUE;
    for (int i = 0; i < 3; i++) { // informer threads wind down after stop: take the lowest
      UpgradeBench.sleep(Duration.ofSeconds(1));
      without = Math.min(without, ProcessMemory.heapAfterGcMiB());
    }
    r.put("podObjectsWithoutOperator", ProcessMemory.liveInstances(pod));
    env.startOperator();
    return BenchOutput.round2(heapWithOperator - without);
  }

  boolean awaitAll(SimulatedEnvironment env, List<String> names, String release) {
    Instant start = Instant.now();
    long[] lastPrint = {0};
    try {
      await()
          .atMost(settings.scaleTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .pollInterval(Duration.ofMillis(250))
          .ignoreException(io.fabric8.kubernetes.client.KubernetesClientException.class)
          .until(
              () -> {
                Progress p = progressOn(env, names, release);
                long s = Duration.between(start, Instant.now()).toSeconds();
                if (s / 10 > lastPrint[0]) { // a progress line every 10 s
                  lastPrint[0] = s / 10;
                  System.out.printf(
                      "  %3d s: %d/%d on %s%s%n",
                      s,
                      p.ready(),
                      names.size(),
                      release,
                      p.elsewhere().isEmpty() ? "" : ", the others at " + p.elsewhere());
                }
                return p.ready() == names.size();
              });
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }

  /** Clusters Ready on the release; -1 when the API server does not answer (overloaded). */
  static long countOrUnknown(SimulatedEnvironment env, List<String> names, String release) {
    try {
      return countOn(env, names, release);
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      return -1;
    }
  }

  static long countOn(SimulatedEnvironment env, List<String> names, String release) {
    return progressOn(env, names, release).ready();
  }

  /**
   * Clusters Ready on the release, and where the others are (their phase and step, counted), so a
   * slow run shows whether every cluster moves or some stall.
   */
  record Progress(long ready, Map<String, Long> elsewhere) {}

  static Progress progressOn(SimulatedEnvironment env, List<String> names, String release) {
    // one list, not one get per cluster: the benchmark's own reads go through the sim's client
    Set<String> wanted = Set.copyOf(names);
    Map<Boolean, List<dev.cinderoperator.api.CinderCluster>> done =
        env
            .client()
            .resources(dev.cinderoperator.api.CinderCluster.class)
            .inNamespace(NS)
            .list()
            .getItems()
            .stream()
            .filter(cc -> wanted.contains(cc.getMetadata().getName()))
            .collect(
                java.util.stream.Collectors.partitioningBy(
                    cc ->
                        cc.getStatus() != null
                            && release.equals(cc.getStatus().getRelease())
                            && cc.getStatus().getPhase() == dev.cinderoperator.api.Phase.Ready));
    Map<String, Long> elsewhere =
        done.get(false).stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    ScaleBench::whereItIs,
                    java.util.TreeMap::new,
                    java.util.stream.Collectors.counting()));
    return new Progress(done.get(true).size(), elsewhere);
  }

  static String whereItIs(dev.cinderoperator.api.CinderCluster cc) {
    if (cc.getStatus() == null || cc.getStatus().getPhase() == null) {
      return "no status";
    }
    var upgrade = cc.getStatus().getUpgrade();
    return cc.getStatus().getPhase()
        + (upgrade == null || upgrade.getStep() == null ? "" : " " + upgrade.getStep());
  }

  /** The violating cluster's pod events in the 15 s before the violation, to see what led to it. */
  static List<String> timeline(
      SimulatedEnvironment env, dev.cinderoperator.sim.invariants.InvariantChecker.Violation v) {
    return env.sim().recorder().of(dev.cinderoperator.sim.events.SimEvent.PodEvent.class).stream()
        .filter(e -> v.cluster().equals(e.cluster()))
        .filter(e -> !e.at().isBefore(v.at().minusSeconds(15)) && !e.at().isAfter(v.at()))
        .map(e -> e.at() + " " + e.kind() + " " + e.pod() + " " + e.image())
        .toList();
  }

  /** Writes counted by verb and resource, e.g. {@code create events: 3}. */
  static Map<String, Long> byKind(List<ApiCallRecorder.ApiCall> calls) {
    return calls.stream()
        .filter(c -> !READS.contains(c.verb()))
        .collect(
            java.util.stream.Collectors.groupingBy(
                c -> c.verb() + " " + c.rbacResource(),
                java.util.TreeMap::new,
                java.util.stream.Collectors.counting()));
  }

  static long writes(List<ApiCallRecorder.ApiCall> calls) {
    return calls.stream().filter(c -> !READS.contains(c.verb())).count();
  }
}
