package dev.cinderoperator.sim.invariants;

import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.sim.cinder.CinderProcess;
import dev.cinderoperator.sim.events.SimEvent;
import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import dev.cinderoperator.sim.events.SimEvent.PodRemovedEvent;
import dev.cinderoperator.sim.events.SimEvent.SignalEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Checks on every recorded event that the operator keeps Cinder's upgrade rules. Violations are
 * collected, never thrown, so a scenario or the bench can count them.
 *
 * <p>"During an upgrade" means: a live scheduler, volume, backup or API pod of the cluster runs an
 * image other than the cluster's settled one (the image every pod ran, Ready, when last all
 * agreed), or the test's {@link #treatAsUpgrading} predicate says so.
 *
 * <p>Pods taken down by someone else (a node drain's eviction, a person's delete), as the API
 * server reports them, do not count against the operator's one-down rule; what counts is whether
 * the operator itself took a pod down while another of its component was down ({@link
 * Invariant#SECOND_POD_DOWN_BY_OPERATOR}), judged from the API server's store at that moment.
 */
public final class InvariantChecker implements Consumer<SimEvent> {

  /** The rules. */
  public enum Invariant {
    /** New images go to scheduler, then volume, then backup, then API; reverts the other way. */
    UPGRADE_ORDER,
    /** Never two pods of one backend or of one component down (absent or not Ready) at once. */
    ONE_DOWN_AT_A_TIME,
    /** No SIGHUP before every live services row reports the target versions. */
    SIGHUP_BEFORE_TARGET,
    /** cinder-manage db sync succeeds once per target image. */
    DB_SYNC_ONCE,
    /** Online data migrations only after every process dropped its pins (and no SIGHUP after). */
    DATA_MIGRATION_BEFORE_UNPIN,
    /** No pod deleted while the test's predicate says the cluster is stalled on bad input. */
    POD_DELETED_WHILE_STALLED,
    /**
     * The operator never deletes or evicts a scheduler, volume or backup pod while another pod of
     * the same component (backend) is missing, not Ready or terminating, whoever took that one
     * down.
     */
    SECOND_POD_DOWN_BY_OPERATOR,
    /**
     * A pod is replaced once per upgrade: the operator never deletes a pod that already runs the
     * upgrade's target image (Unpinning's restarts aside).
     */
    POD_REPLACED_TWICE,
    /**
     * A job runs once: no job succeeds twice under one name, and the version probe and upgrade
     * check succeed once per image (db sync: {@link #DB_SYNC_ONCE}).
     */
    JOB_REPEATED
  }

  /** One broken rule. */
  public record Violation(
      Instant at, Invariant invariant, String namespace, String cluster, String message) {}

  private final Violations violations = new Violations();
  private final Map<String, ClusterState> clusters = new HashMap<>();
  private final PodRules pods = new PodRules(violations);
  private final JobRules jobs = new JobRules(violations);
  private final UnpinRules unpinning;

  /**
   * @param releases the release an image carries
   * @param rows a cluster's live services rows, read even during a simulated outage
   * @param processes a cluster's running Cinder processes
   */
  public InvariantChecker(
      Function<String, Optional<Release>> releases,
      BiFunction<String, String, List<ServiceRow>> rows,
      BiFunction<String, String, List<CinderProcess>> processes) {
    this.unpinning = new UnpinRules(violations, releases, rows, processes);
  }

  /** Deleting a pod of (namespace, cluster) is a violation while this holds (bad input stall). */
  public void forbidPodDeletionWhen(BiPredicate<String, String> stalledOnBadInput) {
    pods.forbidPodDeletionWhen(stalledOnBadInput);
  }

  /** Also apply the one-down rule while this holds (e.g. during Unpinning's API restarts). */
  public void treatAsUpgrading(BiPredicate<String, String> upgrading) {
    pods.treatAsUpgrading(upgrading);
  }

  public List<Violation> violations() {
    return violations.all();
  }

  public List<Violation> violations(Invariant invariant) {
    return violations.of(invariant);
  }

  public void clearViolations() {
    violations.clear();
  }

  @Override
  public synchronized void accept(SimEvent event) {
    if (event.cluster() == null) {
      return;
    }
    ClusterState state =
        clusters.computeIfAbsent(
            event.namespace() + "/" + event.cluster(), k -> new ClusterState());
    if (event instanceof PodRemovedEvent removed && PodRules.ORDER.contains(removed.component())) {
      pods.onRemoved(state, removed);
    } else if (event instanceof PodEvent pod && PodRules.ORDER.contains(pod.component())) {
      pods.onPod(state, pod);
    } else if (event instanceof SignalEvent signal && signal.delivered()) {
      unpinning.onSignal(state, signal);
    } else if (event instanceof JobRunEvent run) {
      jobs.onJobRun(state, run);
      unpinning.onDataMigration(state, run);
    }
  }
}
