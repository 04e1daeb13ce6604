package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.e2e.reliability.FaultRecord;
import dev.cinderoperator.kube.CinderClusterReconciler;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.apiserver.Fault;
import dev.cinderoperator.sim.apiserver.FaultInjector;
import dev.cinderoperator.sim.apiserver.FaultRule;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Kubernetes API fails the operator at every step of a rolling upgrade, with every fault class:
 * 500, 503, 429, a timeout, a write whose answer is lost, a 409 conflict and a cut watch (410, the
 * informers list again). Each class meets each step once, as a blip the client's own retry absorbs
 * or as an outage that reaches the operator (seeded). The upgrade completes, no invariant breaks,
 * no job runs twice, no pod is replaced twice, and the status says what the operator waits for
 * while the API fails.
 */
class ApiFaultsE2ETest {
  static final List<Fault> CLASSES =
      List.of(
          Fault.INTERNAL_ERROR,
          Fault.UNAVAILABLE,
          Fault.THROTTLED,
          Fault.TIMEOUT,
          Fault.LOST_RESPONSE,
          Fault.CONFLICT,
          Fault.WATCH_CUT);
  static final List<UpgradeStep> ROLLING_STEPS =
      List.of(
          UpgradeStep.Preflight,
          UpgradeStep.SchemaMigration,
          UpgradeStep.Pinning,
          UpgradeStep.RollingScheduler,
          UpgradeStep.RollingVolume,
          UpgradeStep.RollingBackup,
          UpgradeStep.RollingApi,
          UpgradeStep.Unpinning,
          UpgradeStep.DataMigration);

  /** The operator's client retries twice (production's retries ten times, about 20 s). */
  static final int CLIENT_RETRIES = 2;

  static final String CLUSTER_PATH =
      "/apis/cinder.operator.dev/v1alpha1/namespaces/" + NS + "/cinderclusters/" + NAME;

  static Stream<Long> seeds() {
    return Seeds.of("apiFaultSeeds", 17L, 4711L);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void anUpgradeCompletesThroughEveryApiFaultAtEveryStep(long seed) {
    try (Scenario s =
            Scenario.start(
                SimConfig.fast(),
                w ->
                    w.withOperatorClient(
                        b ->
                            b.withRequestRetryBackoffLimit(CLIENT_RETRIES)
                                .withRequestRetryBackoffInterval(100)
                                .withRequestTimeout(1500)));
        WarningLog log = WarningLog.attach()) {
      s.deploy(Clusters.of(NAME, NS, "2023.2", 2, 2, 1, Clusters.backend("ceph", 2)));
      FaultInjector faults = s.env.server().faults();
      faults.reseed(seed);
      faults.timeoutDelay(Duration.ofMillis(2500));
      faults.add(
          new FaultRule(
              "api-faults",
              r -> r.from(dev.cinderoperator.sim.SimulatedEnvironment.OPERATOR_AGENT),
              r -> stepOf(s, "2024.1"),
              CLASSES,
              1,
              1.0,
              CLIENT_RETRIES + 2));
      try (StatusHistory history = new StatusHistory(s.env.client(), NS, NAME)) {
        s.upgradeTo("2024.1");
        s.awaitReleased("2024.1", Duration.ofMinutes(6));

        Map<String, Map<Fault, Integer>> injected = faults.injected();
        System.out.println("seed " + seed + " injected: " + injected);
        System.out.println("seed " + seed + " failed requests: " + faults.failedRequests());
        history.seen().forEach(h -> System.out.println("  status " + h));
        new FaultRecord(
                "Kubernetes API 500, 503, 429, timeout, lost response of a write, 409, cut watch",
                "FaultInjector on the operator's User-Agent: each class once at each rolling step",
                "ApiFaultsE2ETest",
                Long.toString(seed),
                FaultRecord.counts(
                    "faults injected",
                    total(injected),
                    "requests failed",
                    total(faults.failedRequests()),
                    "invariant violations",
                    s.env.sim().invariants().violations().size(),
                    "ReconcileError statuses",
                    history.seen().stream()
                        .filter(h -> "ReconcileError".equals(h.reason()))
                        .count(),
                    "upgrades completed",
                    s.status().getUpgrade().getStep() == UpgradeStep.Complete ? 1 : 0))
            .write();
        for (UpgradeStep step : ROLLING_STEPS) {
          assertThat(injected.get(step.name()))
              .as("faults injected at " + step)
              .containsOnlyKeys(CLASSES)
              .allSatisfy((f, n) -> assertThat(n).isEqualTo(1));
        }
        assertThat(s.env.sim().invariants().violations()).isEmpty();
        // the status said what waited for the API, never a raw error
        List<StatusHistory.Seen> seen = history.seen();
        assertThat(seen).noneMatch(h -> "ReconcileError".equals(h.reason()));
        List<StatusHistory.Seen> apiWaits =
            seen.stream()
                .filter(h -> CinderClusterReconciler.API_UNAVAILABLE.equals(h.reason()))
                .toList();
        assertThat(apiWaits)
            .isNotEmpty()
            .allSatisfy(
                h ->
                    assertThat(h.message())
                        .startsWith("the Kubernetes API ")
                        .contains("the upgrade waits at " + h.step())
                        .doesNotContain("http://"));
        assertThat(
                log.lines(
                    l ->
                        l.withStackTrace()
                            && (l.logger().startsWith("dev.cinderoperator.kube")
                                || l.logger().startsWith("io.javaoperatorsdk"))))
            .as("stack traces the operator logged")
            .isEmpty();
      }
    }
  }

  /** The step of the upgrade to {@code release} the stored status shows, null outside it. */
  static String stepOf(Scenario s, String release) {
    JsonNode upgrade =
        s.env.server().peek(CLUSTER_PATH).map(cc -> cc.at("/status/upgrade")).orElse(null);
    if (upgrade == null
        || !release.equals(upgrade.path("toRelease").asText())
        || upgrade.path("step").asText("Complete").equals("Complete")) {
      return null;
    }
    return upgrade.path("step").asText();
  }

  /** Every step's faults of every class, added up. */
  private static int total(Map<String, Map<Fault, Integer>> byStep) {
    return byStep.values().stream()
        .mapToInt(m -> m.values().stream().mapToInt(Integer::intValue).sum())
        .sum();
  }
}
