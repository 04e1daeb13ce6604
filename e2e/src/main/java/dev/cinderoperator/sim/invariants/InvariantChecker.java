package dev.cinderoperator.sim.invariants;

import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.sim.cinder.CachedPin;
import dev.cinderoperator.sim.cinder.CinderProcess;
import dev.cinderoperator.sim.events.SimEvent;
import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import dev.cinderoperator.sim.events.SimEvent.PodRemovedEvent;
import dev.cinderoperator.sim.events.SimEvent.SignalEvent;
import dev.cinderoperator.workload.Component;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
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

  private static final List<String> ORDER =
      List.of(
          Component.SCHEDULER.label(),
          Component.VOLUME.label(),
          Component.BACKUP.label(),
          Component.API.label());

  private final Function<String, Optional<Release>> releases;
  private final BiFunction<String, String, List<ServiceRow>> rows;
  private final BiFunction<String, String, List<CinderProcess>> processes;
  private final List<Violation> violations = new CopyOnWriteArrayList<>();
  private final Map<String, ClusterState> clusters = new HashMap<>();
  private volatile BiPredicate<String, String> deletionForbidden = (ns, cluster) -> false;
  private volatile BiPredicate<String, String> treatAsUpgrading = (ns, cluster) -> false;

  /**
   * @param releases the release an image carries
   * @param rows a cluster's live services rows, read even during a simulated outage
   * @param processes a cluster's running Cinder processes
   */
  public InvariantChecker(
      Function<String, Optional<Release>> releases,
      BiFunction<String, String, List<ServiceRow>> rows,
      BiFunction<String, String, List<CinderProcess>> processes) {
    this.releases = releases;
    this.rows = rows;
    this.processes = processes;
  }

  /** Deleting a pod of (namespace, cluster) is a violation while this holds (bad input stall). */
  public void forbidPodDeletionWhen(BiPredicate<String, String> stalledOnBadInput) {
    this.deletionForbidden = Objects.requireNonNull(stalledOnBadInput);
  }

  /** Also apply the one-down rule while this holds (e.g. during Unpinning's API restarts). */
  public void treatAsUpgrading(BiPredicate<String, String> upgrading) {
    this.treatAsUpgrading = Objects.requireNonNull(upgrading);
  }

  public List<Violation> violations() {
    return List.copyOf(violations);
  }

  public List<Violation> violations(Invariant invariant) {
    return violations.stream().filter(v -> v.invariant() == invariant).toList();
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
    if (event instanceof PodRemovedEvent removed && ORDER.contains(removed.component())) {
      onRemoved(state, removed);
    } else if (event instanceof PodEvent pod && ORDER.contains(pod.component())) {
      onPod(state, pod);
    } else if (event instanceof SignalEvent signal && signal.delivered()) {
      onSignal(state, signal);
    } else if (event instanceof JobRunEvent run) {
      onJobRun(state, run);
    }
  }

  // ---- pods

  private void onPod(ClusterState state, PodEvent e) {
    switch (e.kind()) {
      case CREATED -> {
        checkOrder(state, e);
        state.live.put(e.uid(), new LivePod(e.pod(), e.component(), group(e), e.image()));
      }
      case READY -> ready(state, e, true);
      case NOT_READY, CRASHED -> ready(state, e, false);
      case DELETED -> {
        if (deletionForbidden.test(e.namespace(), e.cluster())) {
          violate(
              e,
              Invariant.POD_DELETED_WHILE_STALLED,
              "pod " + e.pod() + " deleted while the cluster is stalled on bad input");
        }
        state.live.remove(e.uid());
      }
      default -> {}
    }
    settle(state);
    checkDown(state, e);
  }

  private void ready(ClusterState state, PodEvent e, boolean ready) {
    LivePod pod = state.live.get(e.uid());
    if (pod != null) {
      pod.ready = ready;
    }
    if (ready) {
      state.takenDownByOthers.remove(e.pod());
    }
  }

  private void onRemoved(ClusterState state, PodRemovedEvent e) {
    if (!e.byOperator()) {
      state.takenDownByOthers.add(e.pod());
      return;
    }
    if (e.component().equals(Component.API.label())) {
      return;
    }
    if (!e.othersDown().isEmpty()) {
      violate(
          e,
          Invariant.SECOND_POD_DOWN_BY_OPERATOR,
          "the operator "
              + (e.via().equals("eviction") ? "evicted" : "deleted")
              + " "
              + e.pod()
              + " while "
              + String.join(", ", e.othersDown())
              + " of its "
              + e.component()
              + " pods");
    }
    if (e.upgradeTarget() != null
        && e.upgradeTarget().equals(e.image())
        && !"Unpinning".equals(e.step())) {
      violate(
          e,
          Invariant.POD_REPLACED_TWICE,
          "the operator deleted "
              + e.pod()
              + " at "
              + e.step()
              + " although it already ran the target "
              + e.image());
    }
  }

  private void checkOrder(ClusterState state, PodEvent e) {
    String settled = state.settledImage;
    if (settled == null) {
      return;
    }
    int rank = ORDER.indexOf(e.component());
    boolean revert = e.image().equals(settled);
    if (revert && state.live.values().stream().allMatch(p -> p.image.equals(settled))) {
      return; // a restart or replacement on the settled image
    }
    for (LivePod other : state.live.values()) {
      int otherRank = ORDER.indexOf(other.component);
      boolean mustBeDone = revert ? otherRank > rank : otherRank < rank;
      if (mustBeDone && !other.image.equals(e.image())) {
        violate(
            e,
            Invariant.UPGRADE_ORDER,
            (revert ? "revert: " : "")
                + e.component()
                + " pod "
                + e.pod()
                + " created on "
                + e.image()
                + " while "
                + other.component
                + " pod "
                + other.name
                + " still runs "
                + other.image);
        return;
      }
    }
  }

  private void settle(ClusterState state) {
    if (state.live.isEmpty()) {
      return;
    }
    String image = null;
    for (LivePod p : state.live.values()) {
      if (!p.ready || (image != null && !image.equals(p.image))) {
        return;
      }
      image = p.image;
    }
    state.settledImage = image;
    state.members.clear();
    state.apiPeakReady = 0;
    for (LivePod p : state.live.values()) {
      if (p.component.equals(Component.API.label())) {
        state.apiPeakReady++;
      } else {
        state.members.computeIfAbsent(p.group, k -> new HashSet<>()).add(p.name);
      }
    }
    state.reported.clear();
  }

  private void checkDown(ClusterState state, PodEvent e) {
    boolean upgrading =
        state.settledImage != null
            && (state.live.values().stream().anyMatch(p -> !p.image.equals(state.settledImage))
                || treatAsUpgrading.test(e.namespace(), e.cluster()));
    if (!upgrading) {
      return;
    }
    Map<String, List<String>> down = new LinkedHashMap<>();
    for (LivePod p : state.live.values()) {
      if (!p.component.equals(Component.API.label())) {
        state.members.computeIfAbsent(p.group, k -> new HashSet<>()).add(p.name);
      }
    }
    for (Map.Entry<String, Set<String>> group : state.members.entrySet()) {
      for (String name : group.getValue()) {
        if (state.takenDownByOthers.contains(name)) {
          continue; // not the operator's act; SECOND_POD_DOWN_BY_OPERATOR judges its own
        }
        boolean up = state.live.values().stream().anyMatch(p -> p.name.equals(name) && p.ready);
        if (!up) {
          down.computeIfAbsent(group.getKey(), k -> new ArrayList<>()).add(name);
        }
      }
    }
    int apiReady =
        (int)
            state.live.values().stream()
                .filter(p -> p.component.equals(Component.API.label()) && p.ready)
                .count();
    state.apiPeakReady = Math.max(state.apiPeakReady, apiReady);
    if (state.apiPeakReady - apiReady >= 2) {
      down.put(
          Component.API.label(), List.of((state.apiPeakReady - apiReady) + " of the API pods"));
    }
    for (Map.Entry<String, List<String>> d : down.entrySet()) {
      int count = d.getKey().equals(Component.API.label()) ? 2 : d.getValue().size();
      if (count >= 2 && state.reported.add(d.getKey() + d.getValue())) {
        violate(
            e,
            Invariant.ONE_DOWN_AT_A_TIME,
            d.getKey() + " has more than one pod down during the upgrade: " + d.getValue());
      }
    }
  }

  private static String group(PodEvent e) {
    return e.component().equals(Component.VOLUME.label()) ? "volume-" + e.backend() : e.component();
  }

  // ---- signals and jobs

  private void onSignal(ClusterState state, SignalEvent e) {
    if (!e.signal().equals("SIGHUP") && !e.signal().equals("HUP")) {
      return;
    }
    String image =
        state.live.values().stream()
            .filter(p -> p.name.equals(e.pod()))
            .map(p -> p.image)
            .findFirst()
            .orElse(null);
    if (image != null && state.migratedImages.contains(image)) {
      violate(
          e,
          Invariant.DATA_MIGRATION_BEFORE_UNPIN,
          "SIGHUP to " + e.pod() + " after online data migrations began for " + image);
    }
    Optional<Release> target = image == null ? Optional.empty() : releases.apply(image);
    if (target.isEmpty()) {
      return;
    }
    for (ServiceRow row : rows.apply(e.namespace(), e.cluster())) {
      Optional<CinderBinary> binary = CinderBinary.fromBinaryName(row.binary());
      if (binary.isEmpty()) {
        continue;
      }
      String rpc = target.get().rpcVersion(binary.get());
      if (!Objects.equals(rpc, row.rpcVersion())
          || !Objects.equals(target.get().objectVersion(), row.objectVersion())) {
        violate(
            e,
            Invariant.SIGHUP_BEFORE_TARGET,
            "SIGHUP to "
                + e.pod()
                + " while "
                + row.binary()
                + " "
                + row.host()
                + " reports rpc "
                + row.rpcVersion()
                + "/objects "
                + row.objectVersion()
                + ", target "
                + rpc
                + "/"
                + target.get().objectVersion());
        return;
      }
    }
  }

  private static final List<String> ONCE_PER_IMAGE =
      List.of(Component.VERSION_PROBE.label(), Component.UPGRADE_CHECK.label());

  private void onJobRun(ClusterState state, JobRunEvent e) {
    if (e.exitCode() == 0 && e.job() != null) {
      int runs = state.jobSuccesses.merge(e.job(), 1, Integer::sum);
      if (runs > 1) {
        violate(e, Invariant.JOB_REPEATED, "job " + e.job() + " succeeded " + runs + " times");
      } else if (ONCE_PER_IMAGE.contains(e.component())) {
        int perImage = state.jobSuccesses.merge(e.component() + " " + e.image(), 1, Integer::sum);
        if (perImage > 1) {
          violate(
              e,
              Invariant.JOB_REPEATED,
              e.component()
                  + " succeeded "
                  + perImage
                  + " times for "
                  + e.image()
                  + " (job "
                  + e.job()
                  + ")");
        }
      }
    }
    if (Component.DB_SYNC.label().equals(e.component()) && e.exitCode() == 0) {
      int runs = state.dbSyncs.merge(e.image(), 1, Integer::sum);
      if (runs > 1) {
        violate(
            e,
            Invariant.DB_SYNC_ONCE,
            "db sync succeeded " + runs + " times for " + e.image() + " (job " + e.job() + ")");
      }
    }
    if (Component.DATA_MIGRATION.label().equals(e.component())) {
      state.migratedImages.add(e.image());
      Optional<Release> target = releases.apply(e.image());
      if (target.isEmpty()) {
        return;
      }
      for (CinderProcess p : processes.apply(e.namespace(), e.cluster())) {
        String problem = pinProblem(p, target.get());
        if (problem != null) {
          violate(
              e,
              Invariant.DATA_MIGRATION_BEFORE_UNPIN,
              "online data migrations (" + e.job() + ") ran while " + problem);
          return;
        }
      }
    }
  }

  private static String pinProblem(CinderProcess p, Release target) {
    if (!p.release().name().equals(target.name())) {
      return p.pod() + " still runs " + p.release().name();
    }
    for (Map.Entry<CinderBinary, CachedPin> pin : p.pins().entrySet()) {
      if (p.component().equals(Component.SCHEDULER.label())
          && pin.getKey() == CinderBinary.BACKUP) {
        continue; // SIGHUP does not rebuild the scheduler's backup client (facts §3.4)
      }
      if (!Objects.equals(pin.getValue().rpcVersion(), target.rpcVersion(pin.getKey()))
          || !Objects.equals(pin.getValue().objectVersion(), target.objectVersion())) {
        return p.pod()
            + " pins "
            + pin.getKey()
            + " to "
            + pin.getValue().rpcVersion()
            + "/"
            + pin.getValue().objectVersion();
      }
    }
    return null;
  }

  private void violate(SimEvent e, Invariant invariant, String message) {
    violations.add(new Violation(e.at(), invariant, e.namespace(), e.cluster(), message));
  }

  private static final class ClusterState {
    final Map<String, LivePod> live = new LinkedHashMap<>();
    final Map<String, Set<String>> members = new HashMap<>();
    final Set<String> reported = new HashSet<>();
    final Map<String, Integer> dbSyncs = new HashMap<>();
    final Set<String> migratedImages = new HashSet<>();
    final Map<String, Integer> jobSuccesses = new HashMap<>();
    final Set<String> takenDownByOthers = new HashSet<>();
    String settledImage;
    int apiPeakReady;
  }

  private static final class LivePod {
    final String name;
    final String component;
    final String group;
    final String image;
    boolean ready;

    LivePod(String name, String component, String group, String image) {
      this.name = name;
      this.component = component;
      this.group = group;
      this.image = image;
    }
  }
}
