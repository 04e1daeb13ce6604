package dev.cinderoperator.upgrade;

import static dev.cinderoperator.upgrade.PlanContext.RECHECK_POD;

import dev.cinderoperator.api.Durations;
import dev.cinderoperator.api.VersionPin;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.workload.Component;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Replaces StatefulSet pods one at a time, in the given order, each through the {@link PodGate}.
 * Progress is re-derived from the pods: a pod that is on target and passes its gate is done and is
 * never touched again, so an operator restart resumes where it stopped. Backup pods are drained
 * first: with another backup host serving, the host is disabled (restores and deletes go elsewhere)
 * and the schedulers are told to skip it (new backups go elsewhere) until its new pod exists;
 * alone, it keeps serving until it has nothing in flight and is disabled only for its swap. Then it
 * is replaced, verified and allowed again (docs/backup-drain.md).
 */
public final class PodRoller {

  /** What the roll moves pods to. */
  public record Goal(
      Predicate<PodView> reached,
      String why,
      Map<CinderBinary, VersionPin> expected,
      boolean restart) {}

  private PodRoller() {}

  /**
   * The next act of the roll, or done when every pod in {@code order} passed its gate; with what
   * the pods that passed in this pass tell and record (a volume backend's gap).
   */
  public static StepAnswer roll(PlanContext ctx, List<ClusterLayout.Slot> order, Goal goal) {
    StepAnswer answer = StepAnswer.done();
    for (ClusterLayout.Slot slot : order) {
      answer = answer.then(step(ctx, slot, goal));
      if (!answer.finished()) {
        return answer;
      }
    }
    return answer;
  }

  private static StepAnswer step(PlanContext ctx, ClusterLayout.Slot slot, Goal goal) {
    PodView pod = ctx.pod(slot.pod());
    if (pod == null || pod.terminating()) {
      return StepAnswer.of(away(ctx, slot, pod).with(VolumeGap.follow(ctx, slot, pod)))
          .keepingOff(keptOffUntilBack(ctx, slot) ? Set.of(slot.host()) : Set.of());
    }
    if (goal.reached().test(pod)) {
      Optional<NextAct> gate = PodGate.check(ctx, pod, slot, goal.expected());
      if (gate.isPresent()) {
        return StepAnswer.of(gate.get().with(VolumeGap.follow(ctx, slot, pod)));
      }
      StepAnswer passed = VolumeGap.end(ctx, slot, pod);
      if (slot.component() == Component.BACKUP
          && ctx.obs.backupHostsStopped().contains(slot.host())) {
        return new StepAnswer(
            NextAct.of(new Action.AllowNewBackups(slot.host())), passed.notices(), passed.change());
      }
      return passed;
    }
    return replace(ctx, slot, goal, pod);
  }

  /**
   * Whether a backup host whose pod is gone or going stays kept off until its new pod exists: a
   * create sent to the host now would wait in its queue and be reset to error when the new service
   * starts.
   */
  private static boolean keptOffUntilBack(PlanContext ctx, ClusterLayout.Slot slot) {
    boolean backup = slot.component() == Component.BACKUP;
    boolean stopped = backup && ctx.obs.backupHostsStopped().contains(slot.host());
    boolean shared = backup && BackupDrain.othersServe(ctx, slot.host());
    return shared && (stopped || ctx.recordedInFlight(PlanContext.markerPod(slot.pod())));
  }

  /** The slot's pod is gone or going: wait for its StatefulSet to bring it back, up to a bound. */
  private static NextAct away(PlanContext ctx, ClusterLayout.Slot slot, PodView pod) {
    String podMarker = PlanContext.markerPod(slot.pod());
    Optional<Instant> since = ctx.inFlightSince(podMarker);
    Duration timeout = ctx.policy.podReadyTimeoutOrDefault();
    if (since.isPresent() && ctx.now().isAfter(since.get().plus(timeout))) {
      String text =
          "pod "
              + slot.pod()
              + " has not come back "
              + Durations.format(timeout)
              + " (podReadyTimeout) after it was deleted";
      return PlanContext.stall(
          "PodNotReady",
          text + "; check its StatefulSet's events (quota, scheduling, image pull).",
          text);
    }
    String text =
        "pod "
            + slot.pod()
            + (pod == null
                ? ": waiting for its StatefulSet to recreate it"
                : ": waiting for it to terminate");
    return PlanContext.waiting("WaitingForPod", text, RECHECK_POD);
  }

  /**
   * The slot's pod has not reached the goal: drain it if it serves backups, then replace or restart
   * it.
   */
  private static StepAnswer replace(
      PlanContext ctx, ClusterLayout.Slot slot, Goal goal, PodView pod) {
    String podMarker = PlanContext.markerPod(slot.pod());
    String drainMarker = PlanContext.markerDrain(slot.pod());
    boolean backup = slot.component() == Component.BACKUP;
    boolean stopped = backup && ctx.obs.backupHostsStopped().contains(slot.host());
    boolean shared = backup && BackupDrain.othersServe(ctx, slot.host());
    boolean inFlight =
        ctx.recordedInFlight(podMarker) || ctx.recordedInFlight(drainMarker) || stopped;
    if (!inFlight && ctx.policy.pausedOrDefault()) {
      return StepAnswer.of(
          PlanContext.paused("paused by spec.upgrade.paused; next: pod " + slot.pod()));
    }
    Optional<NextAct> blocker = PodInventory.blocker(ctx, slot.pod());
    if (blocker.isPresent()) {
      return StepAnswer.of(blocker.get());
    }
    // Drained, and kept off the schedulers, again on every pass until the pod is seen
    // terminating: the executor may have refused the delete because a backup started after the
    // last count.
    Set<String> keptOff = shared ? Set.of(slot.host()) : Set.of();
    String why = goal.why();
    Action.BackupSwap swap = null;
    StatusChange drained = StatusChange.NONE;
    if (backup) {
      if (shared && !stopped) {
        return StepAnswer.of(
                new NextAct(
                        new Action.StopNewBackups(slot.host()),
                        "pod " + slot.pod() + ": stopping new backups on " + slot.host())
                    .with(ctx.inFlight(drainMarker)))
            .keepingOff(keptOff);
      }
      String who =
          "pod "
              + slot.pod()
              + (shared || stopped
                  ? ""
                  : " (the only backup host: restores and deletes keep running on it until its"
                      + " swap)");
      BackupDrain drain = BackupDrain.of(ctx, drainMarker, List.of(slot.host()), who, shared);
      if (drain.blocked().isPresent()) {
        return StepAnswer.of(drain.blocked().get().with(drain.change())).keepingOff(keptOff);
      }
      drained = drain.change();
      if (drain.abandoned() > 0) {
        why =
            why
                + "; backupDrainTimeout passed with "
                + drain.abandoned()
                + " backups in flight (Cinder marks them error)";
      }
      swap = new Action.BackupSwap(slot.host(), !stopped, drain.keptOff(), drain.abandoned() == 0);
    }
    Action act =
        goal.restart()
            ? new Action.RestartPod(pod.name(), pod.uid(), pod.component(), why, swap)
            : new Action.ReplacePod(
                pod.name(), pod.uid(), pod.component(), slot.backend(), why, swap);
    return StepAnswer.of(
            new NextAct(
                    act, "pod " + slot.pod() + ": " + (goal.restart() ? "restarting" : "replacing"))
                .with(drained.then(ctx.inFlight(podMarker)).then(VolumeGap.start(ctx, slot))))
        .keepingOff(keptOff);
  }
}
