package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.install.PodReadiness;
import dev.cinderoperator.upgrade.Action;
import dev.cinderoperator.upgrade.Decision;
import java.time.Duration;

/**
 * What a planner decision reports and when the cluster is looked at again without an event. Waits
 * on the database (reports, drains, an outage) see no watch event when they end: they are looked at
 * again no later than the poll interval. Waits on pods and jobs are woken by their informers'
 * events and re-checked only as a safety net; a Ready cluster every idle poll interval.
 */
final class RecheckPolicy {
  /** After a PodDisruptionBudget refused an eviction: the pod it waits for may be back soon. */
  static final Duration BUDGET_RECHECK = Duration.ofSeconds(1);

  private final OperatorSettings settings;

  RecheckPolicy(OperatorSettings settings) {
    this.settings = settings;
  }

  /**
   * @param status the status as decided (release recorded on completion)
   * @param databaseUp the services table could be read
   * @param pods the pods of the spec on the spec's image
   */
  Progress progress(Decision d, CinderClusterStatus status, boolean databaseUp, PodReadiness pods) {
    Action a = d.action();
    if (d.stalled() || a instanceof Action.Stall) {
      return Progress.stalled(a.reason(), a.message(), settings.idlePollInterval());
    }
    Phase phase = d.phase();
    if (phase == null || phase == Phase.Ready) {
      return settled(status, databaseUp, pods);
    }
    String message =
        d.blockedBy() != null && !a.message().contains(d.blockedBy())
            ? a.message() + ": " + d.blockedBy()
            : a.message();
    return Progress.working(phase, a.reason(), message, recheck(a));
  }

  /** Nothing under way: Ready once every pod serves and the table was read. */
  private Progress settled(CinderClusterStatus status, boolean databaseUp, PodReadiness pods) {
    if (!databaseUp) {
      // What runs is left as it is; the phase stays what it was, Ready waits for the table.
      Phase last = status.getPhase() == null ? Phase.Deploying : status.getPhase();
      return Progress.working(
          last == Phase.Stalled ? Phase.Deploying : last,
          "DatabaseUnavailable",
          "the Cinder database cannot be reached; nothing is changed until it can",
          settings.pollInterval());
    }
    return pods.allReady()
        ? Progress.ready(
            "Cinder " + status.getRelease() + ": " + pods.summary(), settings.idlePollInterval())
        : Progress.working(
            Phase.Deploying, "WaitingForPods", pods.summary(), settings.watchedRecheck());
  }

  private Duration recheck(Action a) {
    if (a.changesWorld()
        || a instanceof Action.RecordStep
        || a instanceof Action.StartUpgrade
        || a instanceof Action.StartRollback
        || a instanceof Action.RecordPins
        || a instanceof Action.Complete) {
      // More to do at once: come back soon rather than after a poll interval.
      return Duration.ofMillis(Math.min(500, settings.pollInterval().toMillis()));
    }
    Duration recheck = settings.pollInterval();
    if (a instanceof Action.Wait w && w.recheckAfter() != null) {
      if (w.watched()) {
        recheck = settings.watchedRecheck(w.recheckAfter());
      } else if (w.recheckAfter().compareTo(recheck) < 0) {
        recheck = w.recheckAfter();
      }
    }
    return recheck;
  }

  /** The pod stays; what the roll waits for is the other pod the budget counts as down. */
  static Progress budgetRefused(Progress planned, String refusal) {
    return Progress.working(
        planned.phase(), "WaitingForPodDisruptionBudget", refusal, BUDGET_RECHECK);
  }
}
