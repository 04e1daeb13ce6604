package dev.cinderoperator.sim.invariants;

import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import dev.cinderoperator.sim.events.SimEvent.PodRemovedEvent;
import dev.cinderoperator.sim.invariants.ClusterState.LivePod;
import dev.cinderoperator.sim.invariants.InvariantChecker.Invariant;
import dev.cinderoperator.workload.Component;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * The rules of rolling pods: the order of the components ({@link Invariant#UPGRADE_ORDER}), one pod
 * down at a time ({@link Invariant#ONE_DOWN_AT_A_TIME}, {@link
 * Invariant#SECOND_POD_DOWN_BY_OPERATOR}), each pod replaced once ({@link
 * Invariant#POD_REPLACED_TWICE}) and none deleted while stalled on bad input ({@link
 * Invariant#POD_DELETED_WHILE_STALLED}).
 */
final class PodRules {
  /** The components whose pods roll, in upgrade order. */
  static final List<String> ORDER =
      List.of(
          Component.SCHEDULER.label(),
          Component.VOLUME.label(),
          Component.BACKUP.label(),
          Component.API.label());

  private final Violations violations;
  private volatile BiPredicate<String, String> deletionForbidden = (ns, cluster) -> false;
  private volatile BiPredicate<String, String> treatAsUpgrading = (ns, cluster) -> false;

  PodRules(Violations violations) {
    this.violations = violations;
  }

  void forbidPodDeletionWhen(BiPredicate<String, String> stalledOnBadInput) {
    this.deletionForbidden = Objects.requireNonNull(stalledOnBadInput);
  }

  void treatAsUpgrading(BiPredicate<String, String> upgrading) {
    this.treatAsUpgrading = Objects.requireNonNull(upgrading);
  }

  void onPod(ClusterState state, PodEvent e) {
    switch (e.kind()) {
      case CREATED -> {
        checkOrder(state, e);
        state.live.put(e.uid(), new LivePod(e.pod(), e.component(), group(e), e.image()));
      }
      case READY -> ready(state, e, true);
      case NOT_READY, CRASHED -> ready(state, e, false);
      case DELETED -> {
        if (deletionForbidden.test(e.namespace(), e.cluster())) {
          violations.add(
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

  void onRemoved(ClusterState state, PodRemovedEvent e) {
    if (!e.byOperator()) {
      state.takenDownByOthers.add(e.pod());
      return;
    }
    if (e.component().equals(Component.API.label())) {
      return;
    }
    if (!e.othersDown().isEmpty()) {
      violations.add(
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
      violations.add(
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
        violations.add(
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
        violations.add(
            e,
            Invariant.ONE_DOWN_AT_A_TIME,
            d.getKey() + " has more than one pod down during the upgrade: " + d.getValue());
      }
    }
  }

  private static String group(PodEvent e) {
    return e.component().equals(Component.VOLUME.label()) ? "volume-" + e.backend() : e.component();
  }
}
