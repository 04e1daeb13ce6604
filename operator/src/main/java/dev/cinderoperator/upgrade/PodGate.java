package dev.cinderoperator.upgrade;

import static dev.cinderoperator.upgrade.PlanContext.RECHECK_POD;
import static dev.cinderoperator.upgrade.PlanContext.RECHECK_SERVICE;

import dev.cinderoperator.api.Durations;
import dev.cinderoperator.api.VersionPin;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.DottedVersion;
import dev.cinderoperator.cinder.ServiceRow;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The gate a replaced pod must pass before anything else moves: Ready within podReadyTimeout of its
 * creation, and its services row reporting the expected versions with a heartbeat newer than the
 * container's start within serviceReportTimeout of that start.
 *
 * <p>Heartbeats are compared in the database's clock: the pod's start (kubelet clock) is shifted by
 * (database now - operator now) read in the same reconcile. This assumes the kubelet's and the
 * operator's clocks agree (NTP, well under Cinder's 10 s report_interval); an error there only
 * delays the gate by one heartbeat.
 */
final class PodGate {
  private PodGate() {}

  /** Ready only (API pods, which write no services row). */
  static Optional<Blocked> ready(PlanContext ctx, PodView pod) {
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
   * Ready, and the service row reports {@code expected} (null: any versions) with a heartbeat newer
   * than the container's start.
   */
  static Optional<Blocked> check(
      PlanContext ctx,
      PodView pod,
      ClusterLayout.Slot slot,
      Map<CinderBinary, VersionPin> expected) {
    Optional<Blocked> notReady = ready(ctx, pod);
    if (notReady.isPresent()) {
      return notReady;
    }
    Instant start = pod.startedAt() != null ? pod.startedAt() : pod.createdAt();
    String problem = serviceProblem(ctx, pod, slot, expected, start);
    if (problem == null) {
      return Optional.empty();
    }
    if (start != null
        && ctx.now().isAfter(start.plus(ctx.policy.serviceReportTimeoutOrDefault()))) {
      return Optional.of(
          PlanContext.stall(
              "ServiceNotReporting",
              problem
                  + ", "
                  + Durations.format(ctx.policy.serviceReportTimeoutOrDefault())
                  + " (serviceReportTimeout) after the pod started. Check the pod's log for"
                  + " database or messaging errors; the upgrade halts and replaces nothing further.",
              problem));
    }
    return Optional.of(PlanContext.waiting("WaitingForServiceReport", problem, RECHECK_SERVICE));
  }

  private static String serviceProblem(
      PlanContext ctx,
      PodView pod,
      ClusterLayout.Slot slot,
      Map<CinderBinary, VersionPin> expected,
      Instant start) {
    String prefix = "pod " + pod.name() + ": service " + slot.service();
    Optional<ServiceRow> found = ctx.row(slot.binary(), slot.host());
    if (found.isEmpty()) {
      return prefix + " has no services row yet";
    }
    ServiceRow row = found.get();
    VersionPin want = expected == null ? null : expected.get(slot.binary());
    if (want != null) {
      boolean rpcOk = same(row.rpcVersion(), want.getRpcVersion());
      boolean objOk = same(row.objectVersion(), want.getObjectVersion());
      if (!rpcOk && !objOk) {
        return prefix
            + " reports rpc "
            + row.rpcVersion()
            + " and objects "
            + row.objectVersion()
            + ", target rpc "
            + want.getRpcVersion()
            + " and objects "
            + want.getObjectVersion();
      }
      if (!rpcOk) {
        return prefix + " reports rpc " + row.rpcVersion() + ", target " + want.getRpcVersion();
      }
      if (!objOk) {
        return prefix
            + " reports objects "
            + row.objectVersion()
            + ", target "
            + want.getObjectVersion();
      }
    }
    Instant seen = row.lastSeen();
    // startedAt has whole seconds (metav1.Time) and the container may have started up to a second
    // later; the old process of the same host may have heartbeated within that second. Only a
    // heartbeat from the next second on is surely the new process's.
    if (start != null
        && (seen == null || seen.isBefore(ctx.toDatabaseTime(start).plusSeconds(1)))) {
      return prefix + " has not reported since the pod started (last heartbeat " + seen + ")";
    }
    return null;
  }

  static boolean same(String actual, String wanted) {
    return DottedVersion.isValid(actual)
        && DottedVersion.isValid(wanted)
        && DottedVersion.compare(actual, wanted) == 0;
  }

  static boolean atLeast(String actual, String wanted) {
    return DottedVersion.isValid(actual)
        && DottedVersion.isValid(wanted)
        && DottedVersion.compare(actual, wanted) >= 0;
  }
}
