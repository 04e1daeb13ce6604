package dev.cinderoperator.sim.invariants;

import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.sim.cinder.CachedPin;
import dev.cinderoperator.sim.cinder.CinderProcess;
import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import dev.cinderoperator.sim.events.SimEvent.SignalEvent;
import dev.cinderoperator.sim.invariants.InvariantChecker.Invariant;
import dev.cinderoperator.workload.Component;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The rules of unpinning: no SIGHUP before every live services row reports the target versions
 * ({@link Invariant#SIGHUP_BEFORE_TARGET}), and online data migrations only once every process
 * dropped its pins, with no SIGHUP after ({@link Invariant#DATA_MIGRATION_BEFORE_UNPIN}).
 */
final class UnpinRules {
  private final Violations violations;
  private final Function<String, Optional<Release>> releases;
  private final BiFunction<String, String, List<ServiceRow>> rows;
  private final BiFunction<String, String, List<CinderProcess>> processes;

  UnpinRules(
      Violations violations,
      Function<String, Optional<Release>> releases,
      BiFunction<String, String, List<ServiceRow>> rows,
      BiFunction<String, String, List<CinderProcess>> processes) {
    this.violations = violations;
    this.releases = releases;
    this.rows = rows;
    this.processes = processes;
  }

  void onSignal(ClusterState state, SignalEvent e) {
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
      violations.add(
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
        violations.add(
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

  void onDataMigration(ClusterState state, JobRunEvent e) {
    if (!Component.DATA_MIGRATION.label().equals(e.component())) {
      return;
    }
    state.migratedImages.add(e.image());
    Optional<Release> target = releases.apply(e.image());
    if (target.isEmpty()) {
      return;
    }
    for (CinderProcess p : processes.apply(e.namespace(), e.cluster())) {
      String problem = pinProblem(p, target.get());
      if (problem != null) {
        violations.add(
            e,
            Invariant.DATA_MIGRATION_BEFORE_UNPIN,
            "online data migrations (" + e.job() + ") ran while " + problem);
        return;
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
}
