package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.e2e.reliability.FaultRecord;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.SimulatedEnvironment;
import dev.cinderoperator.sim.apiserver.AuditLog;
import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import dev.cinderoperator.sim.events.SimEvent.PodRemovedEvent;
import dev.cinderoperator.sim.invariants.InvariantChecker.Invariant;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pods lost to the cluster during a roll. Right after the operator took its k-th scheduler (then
 * volume) pod down (k seeded), a node drain evicts another pod of that component through
 * pods/eviction, as {@code kubectl drain} does: refused (429) by the PodDisruptionBudget the
 * operator made while the operator's pod is down, again every 100 ms until it is let through. Then
 * someone deletes an already upgraded scheduler pod outright, twice, while the volumes roll. The
 * operator never takes a second pod of a component down itself (its own evictions pass the same
 * budgets), waits for each pod the others took, says which in {@code blockedBy}, and completes.
 */
class PodsLostE2ETest {
  static final String DRAIN = "node-drain/sim-node";
  static final String SOMEONE = "kubectl/someone";

  static Stream<Long> seeds() {
    return Seeds.of("podsLostSeeds", 17L, 4711L);
  }

  /** One pod taken down by someone other than the operator. */
  record Lost(String how, String pod, String afterOperatorTook) {}

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void theRollWaitsForPodsOthersTookDownAndNeverTakesASecondItself(long seed) {
    Random random = new Random(seed);
    // pods take about a second to come back, so a pod taken by others is down for a while
    SimConfig config = SimConfig.fast().with(d -> d.podStartDelay = Duration.ofMillis(700));
    try (Scenario s = Scenario.start(config);
        KubernetesClient drain = s.env.clientAs(DRAIN, UnaryOperator.identity());
        KubernetesClient someone = s.env.clientAs(SOMEONE, UnaryOperator.identity())) {
      s.deploy(Clusters.of(NAME, NS, "2023.2", 3, 2, 1, Clusters.backend("ceph", 3)));
      try (StatusHistory history = new StatusHistory(s.env.client(), NS, NAME)) {
        s.upgradeTo("2024.1");
        List<Lost> lost = new ArrayList<>();
        lost.add(drainAfter(s, drain, "scheduler", 1 + random.nextInt(2), random));
        lost.add(drainAfter(s, drain, "volume", 1 + random.nextInt(2), random));
        lost.add(deleteUpgradedScheduler(s, someone, random));
        s.awaitReleased("2024.1", Duration.ofMinutes(4));

        var invariants = s.env.sim().invariants();
        List<PodRemovedEvent> removals = s.env.sim().recorder().of(PodRemovedEvent.class);
        List<PodRemovedEvent> byOperator =
            removals.stream().filter(PodRemovedEvent::byOperator).toList();
        List<PodRemovedEvent> byOthers =
            removals.stream()
                .filter(r -> r.by().startsWith(DRAIN) || r.by().startsWith(SOMEONE))
                .toList();
        List<String> blockedBy =
            history.seen().stream()
                .map(StatusHistory.Seen::blockedBy)
                .filter(b -> b != null)
                .distinct()
                .toList();
        AuditLog audit = s.env.server().audit();
        long operatorEvictionsRefused =
            audit
                .entries(
                    e ->
                        e.request().from(SimulatedEnvironment.OPERATOR_AGENT)
                            && "eviction".equals(e.request().call().subresource())
                            && e.code() == 429)
                .size();
        lost.forEach(l -> System.out.println("seed " + seed + " lost " + l));
        List<String> tookWhileOthersDown = operatorTakesWhileDown(s, byOthers, byOperator);
        List<AuditLog.Entry> drainRefused =
            audit.entries(
                e ->
                    e.request().from(DRAIN)
                        && "eviction".equals(e.request().call().subresource())
                        && e.code() == 429);
        System.out.println(
            "seed "
                + seed
                + " pods taken down: by the operator "
                + byOperator.size()
                + " (via "
                + byOperator.stream().map(PodRemovedEvent::via).distinct().toList()
                + "), by others "
                + byOthers.size()
                + "; evictions refused by a budget: the drain's "
                + drainRefused.size()
                + ", the operator's "
                + operatorEvictionsRefused
                + "; the operator's takes of another component while a pod taken by others was"
                + " down "
                + tookWhileOthersDown);
        blockedBy.forEach(b -> System.out.println("seed " + seed + " blockedBy " + b));
        System.out.println("seed " + seed + " invariant violations " + invariants.violations());
        new FaultRecord(
                "node drain evicts another pod; a pod deleted by someone else",
                "right after the operator's k-th take of a scheduler, then of a volume pod (k"
                    + " seeded), checked against the operator's PodDisruptionBudgets",
                "PodsLostE2ETest",
                Long.toString(seed),
                FaultRecord.counts(
                    "pods taken by others",
                    byOthers.size(),
                    "by the operator",
                    byOperator.size(),
                    "drain evictions refused by a budget",
                    drainRefused.size(),
                    "second pod taken down by the operator",
                    invariants.violations(Invariant.SECOND_POD_DOWN_BY_OPERATOR).size(),
                    "invariant violations",
                    invariants.violations().size()))
            .write();

        assertThat(byOthers).as("pods taken down by the drain and by someone").hasSize(4);
        assertThat(drainRefused)
            .as("drain evictions the budgets refused while the operator's pod was down")
            .isNotEmpty();
        assertThat(byOperator)
            .as("the operator's own takes go through the eviction API")
            .isNotEmpty()
            .allSatisfy(r -> assertThat(r.via()).isEqualTo("eviction"));
        assertThat(invariants.violations(Invariant.SECOND_POD_DOWN_BY_OPERATOR))
            .as("a second pod of a component taken down by the operator")
            .isEmpty();
        assertThat(invariants.violations(Invariant.POD_REPLACED_TWICE))
            .as("double replacements")
            .isEmpty();
        assertThat(invariants.violations(Invariant.JOB_REPEATED)).as("repeated jobs").isEmpty();
        assertThat(invariants.violations()).as("invariant violations").isEmpty();
        assertThat(blockedBy)
            .as("the status named a pod taken by others while the roll waited for it")
            .anyMatch(b -> lost.stream().anyMatch(l -> b.contains("pod " + l.pod() + " ")));
      }
    }
  }

  /**
   * The operator's takes that fell between another's take of a pod and that pod being Ready again
   * (its own component's are {@code SECOND_POD_DOWN_BY_OPERATOR}; another component's are allowed,
   * and show how far the operator's cache can be behind).
   */
  private static List<String> operatorTakesWhileDown(
      Scenario s, List<PodRemovedEvent> byOthers, List<PodRemovedEvent> byOperator) {
    List<String> out = new ArrayList<>();
    for (PodRemovedEvent other : byOthers) {
      java.time.Instant back =
          s
              .env
              .sim()
              .recorder()
              .of(
                  PodEvent.class,
                  e ->
                      e.kind() == PodEvent.Kind.READY
                          && e.pod().equals(other.pod())
                          && e.at().isAfter(other.at()))
              .stream()
              .map(PodEvent::at)
              .findFirst()
              .orElse(java.time.Instant.MAX);
      byOperator.stream()
          .filter(r -> r.at().isAfter(other.at()) && r.at().isBefore(back))
          .forEach(r -> out.add(r.pod() + " while " + other.pod() + " was down"));
    }
    return out;
  }

  /**
   * Waits until the operator took its {@code k}-th pod of the component down, then evicts another
   * pod of that component (seeded) as a node drain does, again every 100 ms while refused.
   */
  private static Lost drainAfter(
      Scenario s, KubernetesClient drain, String component, int k, Random random) {
    List<PodRemovedEvent> taken = new ArrayList<>();
    s.awaitThat(
        "the operator's " + k + ". " + component + " pod down",
        Duration.ofSeconds(90),
        () -> {
          taken.clear();
          taken.addAll(
              s.env
                  .sim()
                  .recorder()
                  .of(
                      PodRemovedEvent.class,
                      r -> r.byOperator() && component.equals(r.component())));
          return taken.size() >= k;
        });
    String operatorTook = taken.get(k - 1).pod();
    List<String> others =
        s.pods(component).stream()
            .map(p -> p.getMetadata().getName())
            .filter(n -> !n.equals(operatorTook))
            .sorted()
            .toList();
    String victim = others.get(random.nextInt(others.size()));
    // the client's own retries absorb most 429s; the audit log counts every refusal
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> drain.pods().inNamespace(NS).withName(victim).evict());
    return new Lost("evicted by a node drain", victim, operatorTook);
  }

  /**
   * Right after the operator's next take of a pod, someone deletes an upgraded scheduler pod, and
   * once more when its StatefulSet has recreated it (a script run twice): it stays down longer than
   * the operator's own pod, so the roll has to wait for it and say so.
   */
  private static Lost deleteUpgradedScheduler(Scenario s, KubernetesClient someone, Random random) {
    int taken =
        s.env.sim().recorder().of(PodRemovedEvent.class, PodRemovedEvent::byOperator).size();
    s.awaitThat(
        "the operator's next take of a pod",
        Duration.ofSeconds(90),
        () ->
            s.env.sim().recorder().of(PodRemovedEvent.class, PodRemovedEvent::byOperator).size()
                > taken);
    List<Pod> upgraded =
        s.pods("scheduler").stream()
            .filter(p -> Scenario.image(p).equals(Clusters.REGISTRY + "2024.1"))
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .toList();
    assertThat(upgraded).as("schedulers on the target while the volumes roll").isNotEmpty();
    Pod first = upgraded.get(random.nextInt(upgraded.size()));
    String victim = first.getMetadata().getName();
    someone.pods().inNamespace(NS).withName(victim).delete();
    s.awaitThat(
        victim + " recreated",
        Duration.ofSeconds(30),
        () ->
            s.pods("scheduler").stream()
                .anyMatch(
                    p ->
                        p.getMetadata().getName().equals(victim)
                            && !p.getMetadata().getUid().equals(first.getMetadata().getUid())));
    someone.pods().inNamespace(NS).withName(victim).delete();
    return new Lost("deleted by someone, twice", victim, null);
  }
}
