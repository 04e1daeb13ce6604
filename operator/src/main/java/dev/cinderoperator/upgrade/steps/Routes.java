package dev.cinderoperator.upgrade.steps;

import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.workload.Component;
import java.util.List;

/**
 * The routes an upgrade can take, one per status.upgrade.mode. The standard ones are the
 * operator's; tests may hand the planner others.
 */
public record Routes(Route rolling, Route offline, Route rollback) {

  /** N to N+1 with every service up: pin, replace pod after pod, unpin. */
  public static final Route ROLLING =
      new Route(
          UpgradeMode.Rolling,
          List.of(
              new Preflight(false),
              new SchemaMigration(false),
              new Pinning(),
              new RollPods(Component.SCHEDULER, false),
              new RollPods(Component.VOLUME, false),
              new RollPods(Component.BACKUP, false),
              new ApiRollout(false),
              new Unpinning(false),
              new DataMigration()));

  /** A SLURP jump: every service stopped for the db sync, started again on the target. */
  public static final Route OFFLINE =
      new Route(
          UpgradeMode.Offline,
          List.of(
              new Preflight(true),
              new SchemaMigration(true),
              new Unpinning(true),
              new DataMigration()));

  /** Back to the source before Unpinning: pods in reverse order, the database as it is. */
  public static final Route ROLLBACK =
      new Route(
          UpgradeMode.Rollback,
          List.of(
              new ApiRollout(true),
              new RollPods(Component.BACKUP, true),
              new RollPods(Component.VOLUME, true),
              new RollPods(Component.SCHEDULER, true)));

  public static final Routes STANDARD = new Routes(ROLLING, OFFLINE, ROLLBACK);

  public Route of(UpgradeMode mode) {
    return switch (mode) {
      case Rolling -> rolling;
      case Offline -> offline;
      case Rollback -> rollback;
    };
  }
}
