package dev.cinderoperator.sim.invariants;

import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import dev.cinderoperator.sim.invariants.InvariantChecker.Invariant;
import dev.cinderoperator.workload.Component;
import java.util.List;

/**
 * The rules of jobs: none succeeds twice under one name, the version probe and the upgrade check
 * once per image ({@link Invariant#JOB_REPEATED}), and db sync once per target image ({@link
 * Invariant#DB_SYNC_ONCE}).
 */
final class JobRules {
  private final Violations violations;

  JobRules(Violations violations) {
    this.violations = violations;
  }

  private static final List<String> ONCE_PER_IMAGE =
      List.of(Component.VERSION_PROBE.label(), Component.UPGRADE_CHECK.label());

  void onJobRun(ClusterState state, JobRunEvent e) {
    if (e.exitCode() == 0 && e.job() != null) {
      int runs = state.jobSuccesses.merge(e.job(), 1, Integer::sum);
      if (runs > 1) {
        violations.add(
            e, Invariant.JOB_REPEATED, "job " + e.job() + " succeeded " + runs + " times");
      } else if (ONCE_PER_IMAGE.contains(e.component())) {
        int perImage = state.jobSuccesses.merge(e.component() + " " + e.image(), 1, Integer::sum);
        if (perImage > 1) {
          violations.add(
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
        violations.add(
            e,
            Invariant.DB_SYNC_ONCE,
            "db sync succeeded " + runs + " times for " + e.image() + " (job " + e.job() + ")");
      }
    }
  }
}
