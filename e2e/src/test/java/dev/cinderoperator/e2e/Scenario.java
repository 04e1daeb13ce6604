package dev.cinderoperator.e2e;

import static org.awaitility.Awaitility.await;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UpgradeSpec;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.kube.OperatorSettings;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.SimulatedEnvironment;
import dev.cinderoperator.sim.db.InMemoryServicesTable;
import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One CinderCluster on a fresh {@link SimulatedEnvironment}, with the waits and reads every
 * scenario needs. A wait that times out fails with the cluster's status and its recent Events, so a
 * stuck scenario says where it stuck.
 */
final class Scenario implements AutoCloseable {
  static final String NS = "openstack";
  static final String NAME = "cinder";
  static final Duration POLL = Duration.ofMillis(200);
  static final Duration IDLE_POLL = Duration.ofSeconds(1);

  final SimulatedEnvironment env;
  private final OperatorSettings settings;

  private Scenario(SimulatedEnvironment env, OperatorSettings settings) {
    this.env = env;
    this.settings = settings;
  }

  /**
   * How the operator runs: polling every 200 ms and watching the scenario's namespace alone, as the
   * chart installs it by default.
   */
  static OperatorSettings settingsFor() {
    return OperatorSettings.defaults()
        .withPollIntervals(POLL, IDLE_POLL)
        .withWatchNamespaces(java.util.Set.of(NS));
  }

  OperatorSettings settings() {
    return settings;
  }

  /** A fast simulated cluster and the operator, polling every 200 ms. */
  static Scenario start() {
    return start(SimConfig.fast());
  }

  static Scenario start(SimConfig config) {
    return start(config, settingsFor());
  }

  static Scenario start(SimConfig config, OperatorSettings settings) {
    return start(config, settings, w -> w);
  }

  /** With the wiring adjusted, e.g. the operator's client tuned for fault injection. */
  static Scenario start(
      SimConfig config, java.util.function.UnaryOperator<SimulatedEnvironment.Wiring> wiring) {
    return start(config, settingsFor(), wiring);
  }

  static Scenario start(
      SimConfig config,
      OperatorSettings settings,
      java.util.function.UnaryOperator<SimulatedEnvironment.Wiring> wiring) {
    SimConfig namespaced = config.withNamespace(NS);
    SimulatedEnvironment env =
        SimulatedEnvironment.start(
            namespaced, settings, wiring.apply(SimulatedEnvironment.Wiring.inMemory(namespaced)));
    env.createSecrets(NS);
    return new Scenario(env, settings);
  }

  // ---- acting as the user

  /** Creates the cluster and waits until it is Ready on its release. */
  CinderCluster deploy(CinderCluster cc) {
    env.client().resource(cc).create();
    awaitReleased(cc.getSpec().getRelease(), Duration.ofSeconds(60));
    return get();
  }

  /** Edits the spec as {@code kubectl edit} would, again on a conflict with a status write. */
  void edit(Consumer<CinderClusterSpec> change) {
    env.editSpec(NS, NAME, change);
  }

  /** Edits spec.upgrade. */
  void editUpgrade(Consumer<UpgradeSpec> change) {
    edit(
        spec -> {
          UpgradeSpec u = spec.getUpgrade() == null ? new UpgradeSpec() : spec.getUpgrade();
          change.accept(u);
          spec.setUpgrade(u);
        });
  }

  /** Asks for another release on its standard image. */
  void upgradeTo(String release) {
    edit(
        spec -> {
          spec.setRelease(release);
          spec.setImage(Clusters.REGISTRY + release);
        });
  }

  // ---- waits

  void awaitReleased(String release, Duration atMost) {
    awaitStatus(
        "Ready on " + release,
        atMost,
        st -> release.equals(st.getRelease()) && st.getPhase() == Phase.Ready);
  }

  void awaitStep(UpgradeStep step) {
    awaitStatus(
        "step " + step,
        Duration.ofSeconds(30),
        st -> st.getUpgrade() != null && st.getUpgrade().getStep() == step);
  }

  /** Waits for Stalled=True with this reason. */
  void awaitStalled(String reason, Duration atMost) {
    awaitStatus(
        "Stalled=True " + reason,
        atMost,
        st ->
            condition(st, "Stalled")
                .filter(c -> isTrue(c) && reason.equals(c.getReason()))
                .isPresent());
  }

  void awaitStatus(String what, Duration atMost, Predicate<CinderClusterStatus> done) {
    awaitThat(
        what,
        atMost,
        () -> {
          CinderCluster cc = get();
          return cc != null && cc.getStatus() != null && done.test(cc.getStatus());
        });
  }

  /** Waits for any condition; on timeout fails with the cluster's status and recent Events. */
  void awaitThat(String what, Duration atMost, Callable<Boolean> done) {
    try {
      await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(done);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "timed out after " + atMost + " waiting for " + what + "\n" + dump(), e);
    }
  }

  /** Checks that the condition holds throughout {@code period} (for "nothing else happens"). */
  void holdsFor(String what, Duration period, Callable<Boolean> condition) {
    try {
      await()
          .during(period)
          .atMost(period.plusSeconds(2))
          .pollInterval(Duration.ofMillis(100))
          .until(condition);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("did not hold for " + period + ": " + what + "\n" + dump(), e);
    }
  }

  // ---- reading

  CinderCluster get() {
    return env.get(NS, NAME);
  }

  CinderClusterStatus status() {
    return get().getStatus();
  }

  static Optional<Condition> condition(CinderClusterStatus st, String type) {
    return st.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  Condition condition(String type) {
    return condition(status(), type)
        .orElseThrow(() -> new AssertionError("no " + type + " condition\n" + dump()));
  }

  static boolean isTrue(Condition c) {
    return "True".equals(c.getStatus());
  }

  /** The Events on the cluster, oldest first. */
  List<Event> events() {
    return env.client().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> NAME.equals(e.getInvolvedObject().getName()))
        .sorted(Comparator.comparing(Event::getFirstTimestamp))
        .toList();
  }

  List<Event> events(String reason) {
    return events().stream().filter(e -> reason.equals(e.getReason())).toList();
  }

  List<String> eventMessages(String reason) {
    return events(reason).stream().map(Event::getMessage).toList();
  }

  /** The live (not terminating) Cinder pods of one component. */
  List<Pod> pods(String component) {
    return env
        .client()
        .pods()
        .inNamespace(NS)
        .withLabel(Labels.INSTANCE, NAME)
        .withLabel(Labels.COMPONENT, component)
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  static String image(Pod pod) {
    return pod.getSpec().getContainers().get(0).getImage();
  }

  InMemoryServicesTable servicesTable() {
    return env.sim().servicesTable(NS, NAME);
  }

  /** Pods the kubelet saw deleted so far (scheduler, volume, backup and API). */
  List<PodEvent> deletedPods() {
    return env.sim()
        .recorder()
        .of(
            PodEvent.class,
            e ->
                e.kind() == PodEvent.Kind.DELETED
                    && NAME.equals(e.cluster())
                    && List.of("scheduler", "volume", "backup", "api").contains(e.component()));
  }

  /** Status, conditions and the last Events, for failure messages. */
  String dump() {
    StringBuilder b = new StringBuilder();
    CinderCluster cc = get();
    CinderClusterStatus st = cc == null ? null : cc.getStatus();
    if (st == null) {
      b.append("no status\n");
    } else {
      b.append("phase=")
          .append(st.getPhase())
          .append(" release=")
          .append(st.getRelease())
          .append(" image=")
          .append(st.getImage())
          .append('\n');
      for (Condition c : st.getConditions()) {
        b.append("  ")
            .append(c.getType())
            .append('=')
            .append(c.getStatus())
            .append(' ')
            .append(c.getReason())
            .append(": ")
            .append(c.getMessage())
            .append('\n');
      }
      if (st.getUpgrade() != null) {
        var u = st.getUpgrade();
        b.append("upgrade ")
            .append(u.getMode())
            .append(' ')
            .append(u.getFromRelease())
            .append("->")
            .append(u.getToRelease())
            .append(" step=")
            .append(u.getStep())
            .append(' ')
            .append(u.getCompletedSteps())
            .append('/')
            .append(u.getTotalSteps())
            .append(" blockedBy=")
            .append(u.getBlockedBy())
            .append(" inFlight=")
            .append(u.getInFlight())
            .append('\n');
      }
      st.getServices()
          .forEach(
              s ->
                  b.append("  row ")
                      .append(s.getBinary())
                      .append(' ')
                      .append(s.getHost())
                      .append(" rpc ")
                      .append(s.getRpcVersion())
                      .append(" up=")
                      .append(s.getUp())
                      .append(" stale=")
                      .append(s.getStale())
                      .append('\n'));
    }
    List<Event> events = events();
    b.append("last events:\n");
    events
        .subList(Math.max(0, events.size() - 15), events.size())
        .forEach(
            e ->
                b.append("  ")
                    .append(e.getReason())
                    .append(": ")
                    .append(e.getMessage())
                    .append('\n'));
    b.append("invariant violations: ").append(env.sim().invariants().violations());
    return b.toString();
  }

  static String join(List<String> lines) {
    return lines.stream().filter(Objects::nonNull).collect(Collectors.joining("\n"));
  }

  @Override
  public void close() {
    env.close();
  }
}
