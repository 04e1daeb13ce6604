package dev.cinderoperator.sim.cinder;

import static dev.cinderoperator.cinder.CinderBinary.BACKUP;
import static dev.cinderoperator.cinder.CinderBinary.SCHEDULER;
import static dev.cinderoperator.cinder.CinderBinary.VOLUME;

import dev.cinderoperator.cinder.CinderCommands;
import dev.cinderoperator.cinder.OnlineMigrationReport;
import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.db.DatabaseUnavailableException;
import dev.cinderoperator.sim.db.SimDatabases;
import dev.cinderoperator.sim.node.ContainerRuntime.JobResult;
import dev.cinderoperator.sim.node.PodFacts;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cinder's one-shot commands as a job pod runs them: db sync, {@code cinder-status upgrade check},
 * online data migrations (one batch or the operator's batch loop) and the version probe, with the
 * knobs that make them fail or hold.
 */
final class CinderJobs {
  private final ConfigSecretFiles configFiles;
  private final SimDatabases databases;
  private final Map<String, AtomicInteger> dataMigrationBatchesRun = new ConcurrentHashMap<>();
  private final AtomicInteger dbSyncFailures = new AtomicInteger();
  private volatile int upgradeCheckExitCode;
  private volatile int dataMigrationBatches;
  private volatile boolean holdDataMigrations;
  private volatile boolean dataMigrationsFail;
  private volatile boolean versionProbeFails;

  CinderJobs(ConfigSecretFiles configFiles, SimDatabases databases) {
    this.configFiles = configFiles;
    this.databases = databases;
  }

  void failDbSync(int runs) {
    dbSyncFailures.set(runs);
  }

  void upgradeCheckExitCode(int exitCode) {
    upgradeCheckExitCode = exitCode;
  }

  void dataMigrationBatches(int batches) {
    dataMigrationBatches = batches;
  }

  void holdDataMigrations(boolean hold) {
    holdDataMigrations = hold;
  }

  void failDataMigrations(boolean fail) {
    dataMigrationsFail = fail;
  }

  void failVersionProbe(boolean fail) {
    versionProbeFails = fail;
  }

  void clearKnobs() {
    dbSyncFailures.set(0);
    upgradeCheckExitCode = 0;
    dataMigrationBatches = 0;
    holdDataMigrations = false;
    dataMigrationsFail = false;
    versionProbeFails = false;
  }

  /** The job pod's command run to its end, or null while it is still working (held). */
  JobResult run(Pod pod, Release release) {
    String component = PodFacts.label(pod, Labels.COMPONENT);
    String ns = pod.getMetadata().getNamespace();
    String cluster = PodFacts.label(pod, Labels.INSTANCE);
    if (Component.DB_SYNC.label().equals(component)) {
      if (databaseDown(ns, cluster)) {
        return new JobResult(1, "oslo_db.exception.DBConnectionError: database unavailable");
      }
      if (dbSyncFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return new JobResult(1, "alembic.util.exc.CommandError: db sync failed (on demand)");
      }
      return JobResult.success("");
    }
    if (Component.VERSION_PROBE.label().equals(component)) {
      if (versionProbeFails) {
        return new JobResult(1, "version probe failed (on demand)");
      }
      return JobResult.success(probeJson(release));
    }
    if (Component.UPGRADE_CHECK.label().equals(component)) {
      return SimulatedUpgradeCheck.run(
          configFiles.jobConfig(pod, ns, cluster), upgradeCheckExitCode);
    }
    if (Component.DATA_MIGRATION.label().equals(component)) {
      if (databaseDown(ns, cluster)) {
        return new JobResult(1, "oslo_db.exception.DBConnectionError: database unavailable");
      }
      if (dataMigrationsFail) {
        return new JobResult(
            2,
            migrationTable(0, 0) + "Some migrations failed unexpectedly. Check log for details.");
      }
      if (holdDataMigrations) {
        return null;
      }
      AtomicInteger done =
          dataMigrationBatchesRun.computeIfAbsent(ns + "/" + cluster, k -> new AtomicInteger());
      List<String> command = pod.getSpec().getContainers().get(0).getCommand();
      if (!CinderCommands.isBatchLoop(command)) {
        return oneBatch(done);
      }
      // the operator's loop: cinder-manage again while it exits 1 having migrated rows, then its
      // report line (OnlineMigrationReport) and the last run's output
      int runs = 0;
      long migrated = 0;
      JobResult last;
      do {
        last = oneBatch(done);
        runs++;
        migrated += last.exitCode() == 1 ? BATCH : 0;
      } while (last.exitCode() == 1);
      OnlineMigrationReport report =
          new OnlineMigrationReport(
              runs,
              last.exitCode(),
              false,
              migrated,
              0,
              last.exitCode() == 0
                  ? OnlineMigrationReport.Stopped.COMPLETE
                  : OnlineMigrationReport.Stopped.EXIT_CODE);
      return new JobResult(last.exitCode(), report.toJsonLine() + "\n" + last.message());
    }
    return JobResult.success("");
  }

  /** What online_data_migrations --max_count prints last (tabulate's psql format). */
  static String migrationTable(int needed, int completed) {
    String rule = "+----------------------------------------+----------------+-------------+\n";
    return rule
        + "| Migration                              |   Total Needed |   Completed |\n"
        + "|----------------------------------------+----------------+-------------|\n"
        + String.format(
            "| volume_use_quota_online_data_migration | %14d | %11d |\n", needed, completed)
        + rule;
  }

  private static final int BATCH = 50;

  /** One {@code online_data_migrations --max_count 50} run against the cluster's batches. */
  private JobResult oneBatch(AtomicInteger done) {
    return done.incrementAndGet() <= dataMigrationBatches
        ? new JobResult(1, migrationTable(BATCH, BATCH))
        : JobResult.success(migrationTable(0, 0));
  }

  private boolean databaseDown(String ns, String cluster) {
    try {
      databases.servicesTable(ns, cluster).liveRows();
      return false;
    } catch (DatabaseUnavailableException e) {
      return true;
    }
  }

  /** What the operator's version probe prints for a release; its package is {@code <major>.0.0}. */
  public static String probeJson(Release release) {
    return "{\"rpc\":{\"cinder-scheduler\":\""
        + release.rpcVersion(SCHEDULER)
        + "\",\"cinder-volume\":\""
        + release.rpcVersion(VOLUME)
        + "\",\"cinder-backup\":\""
        + release.rpcVersion(BACKUP)
        + "\"},\"objects\":\""
        + release.objectVersion()
        + "\",\"objectHistory\":[\"1.38\",\"1.39\"],\"package\":\""
        + release.cinderMajor()
        + ".0.0\"}";
  }
}
