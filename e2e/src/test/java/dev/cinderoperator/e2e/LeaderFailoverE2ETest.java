package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.e2e.reliability.FaultRecord;
import dev.cinderoperator.kube.LeaseSettings;
import dev.cinderoperator.sim.OperatorReplica;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.SimulatedEnvironment;
import dev.cinderoperator.sim.apiserver.AuditLog;
import dev.cinderoperator.sim.apiserver.Fault;
import dev.cinderoperator.sim.invariants.InvariantChecker.Invariant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two operator replicas elect their leader through a Lease on the simulated API server. During one
 * upgrade the leader is, at seeded moments (after a seeded number of its own writes), either
 * stopped as a crash stops it (the Lease is not released) or partitioned from the API server (it
 * keeps running, cannot renew, and is healed the moment the other replica took over, so whatever it
 * still holds queued meets a reachable server). A stopped replica comes back as a new pod (a new
 * identity); a partitioned one, having lost the Lease, exits and restarts in its pod (the same
 * identity). The upgrade completes through at least five failovers; no invariant breaks, no job
 * runs twice, no pod is replaced twice, and the API server's audit log shows no write from a
 * replica that did not hold the Lease when the write arrived.
 */
class LeaderFailoverE2ETest {
  static final int FAILOVERS = 6;
  static final String LEASE_NAME = "cinder-operator-lease";

  /** Short, so that six failovers fit into one upgrade; production's are 15 s, 10 s and 2 s. */
  static final LeaseSettings LEASE =
      new LeaseSettings(
          NS,
          LEASE_NAME,
          "unset",
          Duration.ofSeconds(4),
          Duration.ofSeconds(2),
          Duration.ofMillis(500));

  enum How {
    STOPPED,
    PARTITIONED
  }

  /** One failover as it happened. */
  record Failover(How how, String from, String to, long faultSeq, long takeoverSeq, long millis) {}

  static Stream<Long> seeds() {
    return Seeds.of("leaderFailoverSeeds", 17L, 4711L);
  }

  private Scenario s;
  private final List<OperatorReplica> replicas = new ArrayList<>();
  private final List<OperatorReplica> everStarted = new ArrayList<>();
  private final java.util.Set<String> crashed = new java.util.HashSet<>();
  private final java.util.Set<String> partitioned = new java.util.HashSet<>();
  private int generation;

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void anUpgradeCompletesThroughSeededFailoversAndNoFormerLeaderWrites(long seed) {
    Random random = new Random(seed);
    s =
        Scenario.start(
            // pods start slowly enough that six failovers (4 to 5 s each) fit into the upgrade
            // also on an idle machine (at 300 ms one seed finished after four)
            SimConfig.fast().with(d -> d.podStartDelay = Duration.ofMillis(2500)),
            w ->
                w.withOperatorClient(
                    b ->
                        b.withRequestRetryBackoffLimit(2)
                            .withRequestRetryBackoffInterval(100)
                            .withRequestTimeout(1500)));
    try {
      s.env.stopOperator(); // the single default operator; two replicas elect one instead
      s.env.server().faults().timeoutDelay(Duration.ofMillis(2500));
      replicas.add(start(nextIdentity()));
      replicas.add(start(nextIdentity()));
      s.deploy(Clusters.of(NAME, NS, "2023.2", 2, 2, 1, Clusters.backend("ceph", 2)));

      List<How> plan = new ArrayList<>();
      for (int i = 0; i < FAILOVERS; i++) {
        plan.add(i % 2 == 0 ? How.STOPPED : How.PARTITIONED);
      }
      Collections.shuffle(plan, random);
      List<Failover> failovers = new ArrayList<>();
      s.upgradeTo("2024.1");
      for (How how : plan) {
        if (released()) {
          break;
        }
        failovers.add(failover(how, 1 + random.nextInt(4)));
      }
      s.awaitThat("Ready on 2024.1", Duration.ofMinutes(6), () -> supervise() && released());

      AuditLog audit = s.env.server().audit();
      List<String> byNonHolder = writesByNonHolders(audit);
      List<String> formerAgents =
          failovers.stream()
              .filter(f -> f.how() == How.PARTITIONED)
              .map(f -> SimulatedEnvironment.OPERATOR_AGENT + "/" + f.from())
              .toList();
      long byPartitionedFormerLeaders =
          byNonHolder.stream().filter(w -> formerAgents.stream().anyMatch(w::contains)).count();
      long cutOffByPartition =
          audit
              .entries(
                  e ->
                      isWrite(e)
                          && e.fault() == Fault.TIMEOUT
                          && formerAgents.contains(e.request().client()))
              .size();
      long refusedByFences = everStarted.stream().mapToLong(OperatorReplica::writesRefused).sum();
      failovers.forEach(f -> System.out.println("seed " + seed + " failover " + f));
      System.out.println("seed " + seed + " leadership changes " + leaderChanges(audit));
      System.out.println(
          "seed "
              + seed
              + " failovers "
              + failovers.size()
              + " (stopped "
              + failovers.stream().filter(f -> f.how() == How.STOPPED).count()
              + ", partitioned "
              + formerAgents.size()
              + "), takeover ms "
              + failovers.stream().map(Failover::millis).toList()
              + ", replicas started "
              + everStarted.size());
      System.out.println(
          "seed "
              + seed
              + " writes by a replica not holding the Lease "
              + byNonHolder.size()
              + " (by a partitioned former leader "
              + byPartitionedFormerLeaders
              + "); writes its fence held back "
              + refusedByFences
              + "; partitioned leaders' writes cut off by the partition "
              + cutOffByPartition
              + " "
              + byNonHolder);
      var invariants = s.env.sim().invariants();
      System.out.println("seed " + seed + " invariant violations: " + invariants.violations());
      new FaultRecord(
              "leader stopped, or partitioned from the API server",
              "after a seeded number (1 to 4) of the leader's own writes, again and again",
              "LeaderFailoverE2ETest",
              Long.toString(seed),
              FaultRecord.counts(
                  "failovers",
                  failovers.size(),
                  "writes by a replica not holding the Lease",
                  byNonHolder.size(),
                  "writes its fence held back",
                  refusedByFences,
                  "invariant violations",
                  invariants.violations().size(),
                  "upgrades completed",
                  s.status().getUpgrade().getStep() == UpgradeStep.Complete ? 1 : 0))
          .write();

      assertThat(failovers).as("failovers in one upgrade").hasSizeGreaterThanOrEqualTo(5);
      assertThat(failovers).extracting(Failover::how).contains(How.STOPPED, How.PARTITIONED);
      assertThat(s.status().getUpgrade().getStep()).isEqualTo(UpgradeStep.Complete);
      assertThat(s.status().getPhase()).isEqualTo(Phase.Ready);
      assertThat(byPartitionedFormerLeaders)
          .as("writes by a partitioned former leader after it lost the Lease")
          .isZero();
      assertThat(byNonHolder).as("writes by a replica that did not hold the Lease").isEmpty();
      assertThat(invariants.violations(Invariant.JOB_REPEATED)).as("repeated jobs").isEmpty();
      assertThat(invariants.violations(Invariant.DB_SYNC_ONCE)).as("repeated db syncs").isEmpty();
      assertThat(invariants.violations(Invariant.POD_REPLACED_TWICE))
          .as("double replacements")
          .isEmpty();
      assertThat(invariants.violations()).as("invariant violations").isEmpty();
      // the Lease lives in the watched namespace here, as the chart's default install has it
      assertThat(
              ChartRbac.denied(
                  s.env.calls().calls(),
                  ChartRbac.OWN_NAMESPACE.rules(NS, s.settings().unpinBySignal())))
          .as("calls of the replicas the chart does not allow")
          .isEmpty();
    } finally {
      s.close();
    }
  }

  private boolean released() {
    var st = s.status();
    return st != null && "2024.1".equals(st.getRelease()) && st.getPhase() == Phase.Ready;
  }

  /**
   * Waits until a replica leads and has made {@code writes} more writes (the seeded moment), then
   * stops or partitions it and waits until the other one took the Lease.
   */
  private Failover failover(How how, int writes) {
    OperatorReplica[] leader = new OperatorReplica[1];
    s.awaitThat(
        "a leader",
        Duration.ofSeconds(60),
        () -> {
          supervise();
          leader[0] = replicas.stream().filter(OperatorReplica::leading).findFirst().orElse(null);
          return leader[0] != null;
        });
    OperatorReplica from = leader[0];
    AuditLog audit = s.env.server().audit();
    long start = audit.lastSeq();
    s.awaitThat(
        writes + " writes of " + from.identity(),
        Duration.ofSeconds(60),
        () ->
            supervise()
                && (released()
                    || !from.leading()
                    || audit
                            .entries(
                                e ->
                                    e.seq() > start && isWrite(e) && e.request().from(from.agent()))
                            .size()
                        >= writes));
    long faultSeq = audit.lastSeq();
    long t0 = System.nanoTime();
    if (how == How.STOPPED) {
      crashed.add(from.identity());
      from.stop();
    } else {
      partitioned.add(from.agent());
      s.env.server().faults().partition(from.agent(), Fault.TIMEOUT);
    }
    long[] takeover = {-1};
    String[] to = {null};
    s.awaitThat(
        "another replica takes the Lease from " + from.identity(),
        Duration.ofSeconds(60),
        () -> {
          supervise();
          for (AuditLog.Entry e :
              audit.entries(e -> e.seq() > faultSeq && isLeaseWrite(e) && e.code() / 100 == 2)) {
            if (!e.request().client().equals(from.agent())) {
              takeover[0] = e.seq();
              to[0] = e.request().client();
              return true;
            }
          }
          return false;
        });
    long millis = (System.nanoTime() - t0) / 1_000_000;
    if (how == How.PARTITIONED) {
      s.env.server().faults().heal(from.agent());
      partitioned.remove(from.agent());
      s.awaitThat("the partitioned replica gives up", Duration.ofSeconds(60), from::stopped);
      supervise();
    }
    return new Failover(how, from.identity(), to[0], faultSeq, takeover[0], millis);
  }

  /**
   * Restarts what stopped, as Kubernetes would: a replica that exited after losing the Lease
   * restarts in its pod (same identity); one that crashed comes back as a new pod. Always true.
   */
  private boolean supervise() {
    for (int i = 0; i < replicas.size(); i++) {
      OperatorReplica r = replicas.get(i);
      if (r.stopped() && !partitioned.contains(r.agent())) {
        String identity = crashed.contains(r.identity()) ? nextIdentity() : r.identity();
        replicas.set(i, start(identity));
      }
    }
    return true;
  }

  private OperatorReplica start(String identity) {
    OperatorReplica r = s.env.startReplica(LEASE.withIdentity(identity));
    everStarted.add(r);
    return r;
  }

  private String nextIdentity() {
    generation++;
    return String.format(Locale.ROOT, "replica-%02d", generation);
  }

  private static boolean isLeaseWrite(AuditLog.Entry e) {
    return "leases".equals(e.request().resource()) && e.isWrite();
  }

  /** An operator's write, not to the Lease (a SelfSubjectRulesReview asks, it changes nothing). */
  private static boolean isWrite(AuditLog.Entry e) {
    String resource = e.request().resource();
    return e.isWrite()
        && !"leases".equals(resource)
        && !"selfsubjectrulesreviews".equals(resource)
        && e.request().from(SimulatedEnvironment.OPERATOR_AGENT);
  }

  /**
   * Every write of an operator replica that reached the store (not cut off by a partition) while
   * another replica held the Lease: the holder is whoever last wrote the Lease successfully.
   */
  static List<String> writesByNonHolders(AuditLog audit) {
    List<String> out = new ArrayList<>();
    String holder = null;
    for (AuditLog.Entry e : audit.entries()) {
      if (isLeaseWrite(e) && e.code() / 100 == 2) {
        holder = e.request().client();
      } else if (isWrite(e)
          && (e.fault() == null || e.applied())
          && !e.request().client().equals(holder)) {
        out.add(
            "#"
                + e.seq()
                + " "
                + e.request().client()
                + " "
                + e.request().describe()
                + " -> "
                + e.code()
                + " (holder "
                + holder
                + ")");
      }
    }
    return out;
  }

  /** The holders of the Lease in order. */
  static List<String> leaderChanges(AuditLog audit) {
    List<String> out = new ArrayList<>();
    for (AuditLog.Entry e : audit.entries(e -> isLeaseWrite(e) && e.code() / 100 == 2)) {
      String who = e.request().client();
      if (out.isEmpty() || !out.get(out.size() - 1).equals(who)) {
        out.add(who);
      }
    }
    return out;
  }
}
