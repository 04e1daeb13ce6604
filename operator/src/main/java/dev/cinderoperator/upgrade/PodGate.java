package dev.cinderoperator.upgrade;

import static dev.cinderoperator.upgrade.PlanContext.RECHECK_POD;
import static dev.cinderoperator.upgrade.PlanContext.RECHECK_SERVICE;

import dev.cinderoperator.api.Durations;
import dev.cinderoperator.api.HeartbeatBaseline;
import dev.cinderoperator.api.VersionPin;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.DottedVersion;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.cinder.ServicesTable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The gate a replaced pod must pass before anything else moves: Ready within podReadyTimeout of its
 * creation, and its service working on the expected versions within serviceReportTimeout of the
 * container's start: its services row reports the versions, its {@code report_count} rose since the
 * container started (a heartbeat), and it is up by Cinder's rule ({@code updated_at} within {@code
 * service_down_time} of the database's clock).
 *
 * <p>Why the count and not the timestamp: {@code Service.__init__} saves the row, bumping {@code
 * updated_at} but not {@code report_count}, before {@code init_host} and whether or not the driver
 * initialises; only {@code report_state} counts, and only while the service works. The count at the
 * container's start cannot be read later, so the first read after the start is recorded ({@link
 * HeartbeatBaseline}): the StatefulSet creates a pod of the same name only once the old one is
 * gone, so no other process writes the row from then on. A read taken after the new process's first
 * heartbeat only makes the gate wait for the next one.
 */
public final class PodGate {
  private PodGate() {}

  /**
   * Why a pod's service does not pass yet: the stall reason if it never does, the text, and when to
   * look again (null: at the poll).
   */
  private record Problem(String reason, String text, Duration recheck) {
    Problem(String reason, String text) {
      this(reason, text, null);
    }
  }

  // How long after a heartbeat is due the gate looks: the write and the read take a moment.
  private static final Duration HEARTBEAT_MARGIN = Duration.ofMillis(20);

  /** Ready only (API pods, which write no services row). */
  public static Optional<NextAct> ready(PlanContext ctx, PodView pod) {
    if (pod.ready()) {
      return Optional.empty();
    }
    Instant created = pod.createdAt();
    if (created != null && ctx.now().isAfter(created.plus(ctx.policy.podReadyTimeoutOrDefault()))) {
      String text =
          "pod "
              + pod.name()
              + " is not Ready "
              + Durations.format(ctx.policy.podReadyTimeoutOrDefault())
              + " (podReadyTimeout) after it was created"
              + (pod.restartCount() > 0 ? " (" + pod.restartCount() + " restarts)" : "");
      return Optional.of(
          PlanContext.stall(
              "PodNotReady",
              text
                  + "; the upgrade halts and replaces nothing further. Look at the pod's events"
                  + " and logs (kubectl describe pod "
                  + pod.name()
                  + "), fix the cause, or revert spec.image to roll back.",
              text));
    }
    return Optional.of(
        PlanContext.waiting(
            "WaitingForPodReady", "pod " + pod.name() + ": waiting for Ready", RECHECK_POD));
  }

  /**
   * Ready, and the service works: its row reports {@code expected} (null: any versions), has
   * heartbeated since the container started, and is up.
   */
  public static Optional<NextAct> check(
      PlanContext ctx,
      PodView pod,
      ClusterLayout.Slot slot,
      Map<CinderBinary, VersionPin> expected) {
    Instant start = pod.startedAt() != null ? pod.startedAt() : pod.createdAt();
    Optional<ServiceRow> row = ctx.row(slot.binary(), slot.host());
    // Read as soon as the pod is seen, Ready or not: the old process is gone by then. A baseline
    // taken now makes the gate wait, so its record always comes with an act.
    Baseline baseline = row.map(r -> baseline(ctx, pod, start, r)).orElse(Baseline.NONE);
    return blocker(ctx, pod, slot, expected, row, baseline.value())
        .map(act -> act.with(baseline.record()));
  }

  private static Optional<NextAct> blocker(
      PlanContext ctx,
      PodView pod,
      ClusterLayout.Slot slot,
      Map<CinderBinary, VersionPin> expected,
      Optional<ServiceRow> row,
      HeartbeatBaseline baseline) {
    Optional<NextAct> notReady = ready(ctx, pod);
    if (notReady.isPresent()) {
      return notReady;
    }
    Problem problem = serviceProblem(ctx, pod, slot, expected, row, baseline);
    if (problem == null) {
      return Optional.empty();
    }
    Instant start = pod.startedAt() != null ? pod.startedAt() : pod.createdAt();
    if (start != null
        && ctx.now().isAfter(start.plus(ctx.policy.serviceReportTimeoutOrDefault()))) {
      return Optional.of(
          PlanContext.stall(
              problem.reason(),
              problem.text()
                  + ", "
                  + Durations.format(ctx.policy.serviceReportTimeoutOrDefault())
                  + " (serviceReportTimeout) after the pod started. "
                  + (problem.reason().equals(NOT_HEARTBEATING)
                      ? "Cinder writes the row when the process starts, but counts a heartbeat only"
                          + " while the service works: look in the pod's log for a driver that"
                          + " failed to initialise or lost its database or messaging connection;"
                      : "Check the pod's log for database or messaging errors;")
                  + " the upgrade halts and replaces nothing further.",
              problem.text()));
    }
    PlanContext.Recheck recheck =
        problem.recheck() == null
            ? RECHECK_SERVICE
            : new PlanContext.Recheck(problem.recheck(), false);
    return Optional.of(PlanContext.waiting("WaitingForServiceReport", problem.text(), recheck));
  }

  /**
   * How soon the row's next heartbeat is due, plus a margin: {@code report_state} writes the row
   * every {@code report_interval} after its last write, and no watch event says it did, so the gate
   * looks again just after then rather than at the next poll (up to a whole poll interval late, on
   * every pod of the roll). Null when heartbeats are off, or when the heartbeat is overdue by more
   * than a tenth of the interval (a slow {@code init_host}, a loaded host): the poll looks then.
   */
  public static Duration untilNextHeartbeat(ServicesView s, ServiceRow row) {
    Instant last = row.lastSeen();
    Duration interval = s.reportInterval();
    if (last == null || interval == null || interval.isZero() || interval.isNegative()) {
      return null;
    }
    Duration margin = interval.dividedBy(50);
    if (margin.compareTo(HEARTBEAT_MARGIN) < 0) {
      margin = HEARTBEAT_MARGIN;
    }
    Instant due = last.plus(interval);
    Duration overdue = Duration.between(due, s.databaseNow());
    if (overdue.compareTo(interval.dividedBy(10)) > 0) {
      return null;
    }
    Duration until = Duration.between(s.databaseNow(), due).plus(margin);
    return until.compareTo(margin) < 0 ? margin : until;
  }

  public static final String NOT_REPORTING = "ServiceNotReporting";
  public static final String NOT_HEARTBEATING = "ServiceNotHeartbeating";

  private static Problem serviceProblem(
      PlanContext ctx,
      PodView pod,
      ClusterLayout.Slot slot,
      Map<CinderBinary, VersionPin> expected,
      Optional<ServiceRow> found,
      HeartbeatBaseline baseline) {
    String prefix = "pod " + pod.name() + ": service " + slot.service();
    if (found.isEmpty()) {
      return new Problem(NOT_REPORTING, prefix + " has no services row yet");
    }
    ServiceRow row = found.get();
    VersionPin want = expected == null ? null : expected.get(slot.binary());
    if (want != null) {
      boolean rpcOk = same(row.rpcVersion(), want.getRpcVersion());
      boolean objOk = same(row.objectVersion(), want.getObjectVersion());
      if (!rpcOk && !objOk) {
        return new Problem(
            NOT_REPORTING,
            prefix
                + " reports rpc "
                + row.rpcVersion()
                + " and objects "
                + row.objectVersion()
                + ", target rpc "
                + want.getRpcVersion()
                + " and objects "
                + want.getObjectVersion());
      }
      if (!rpcOk) {
        return new Problem(
            NOT_REPORTING,
            prefix + " reports rpc " + row.rpcVersion() + ", target " + want.getRpcVersion());
      }
      if (!objOk) {
        return new Problem(
            NOT_REPORTING,
            prefix
                + " reports objects "
                + row.objectVersion()
                + ", target "
                + want.getObjectVersion());
      }
    }
    ServicesView s = ctx.services();
    if (baseline == null || row.reportCount() <= baseline.getReportCount()) {
      return new Problem(
          NOT_HEARTBEATING,
          prefix
              + " has written its row but not heartbeated since the pod started (report_count "
              + row.reportCount()
              + ", last written "
              + row.lastSeen()
              + ")",
          untilNextHeartbeat(s, row));
    }
    if (!ServicesTable.isUp(row, s.databaseNow(), s.serviceDownTime())) {
      return new Problem(
          NOT_HEARTBEATING,
          prefix
              + " is down: its last heartbeat "
              + row.lastSeen()
              + " is older than service_down_time ("
              + s.serviceDownTime().toSeconds()
              + "s)");
    }
    return null;
  }

  /** A pod's baseline, and the record of it when it is taken in this pass. */
  private record Baseline(HeartbeatBaseline value, StatusChange record) {
    static final Baseline NONE = new Baseline(null, StatusChange.NONE);
  }

  /**
   * The report_count read after this container started, recorded on first sight (or again when the
   * row was re-created meanwhile, which restarts its count); null when none could be taken yet.
   */
  private static Baseline baseline(PlanContext ctx, PodView pod, Instant start, ServiceRow row) {
    if (start == null) {
      return Baseline.NONE;
    }
    List<HeartbeatBaseline> all = ctx.draft == null ? List.of() : ctx.draft.getHeartbeatBaselines();
    String started = start.toString();
    for (HeartbeatBaseline b : all) {
      if (b.getPod().equals(pod.name())
          && Objects.equals(b.getUid(), pod.uid())
          && started.equals(b.getStartedAt())
          && Objects.equals(b.getRowId(), row.id())) {
        return new Baseline(b, StatusChange.NONE);
      }
    }
    HeartbeatBaseline b =
        new HeartbeatBaseline(pod.name(), pod.uid(), started, row.id(), row.reportCount());
    return new Baseline(
        b,
        u -> {
          u.getHeartbeatBaselines().removeIf(old -> old.getPod().equals(pod.name()));
          u.getHeartbeatBaselines().add(b);
        });
  }

  public static boolean same(String actual, String wanted) {
    return DottedVersion.isValid(actual)
        && DottedVersion.isValid(wanted)
        && DottedVersion.compare(actual, wanted) == 0;
  }

  public static boolean atLeast(String actual, String wanted) {
    return DottedVersion.isValid(actual)
        && DottedVersion.isValid(wanted)
        && DottedVersion.compare(actual, wanted) >= 0;
  }
}
