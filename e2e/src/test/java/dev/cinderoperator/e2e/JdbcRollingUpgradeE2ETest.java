package dev.cinderoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.db.ServiceRegistryPool;
import dev.cinderoperator.db.testing.TestDatabase;
import dev.cinderoperator.db.testing.TestMariaDb;
import dev.cinderoperator.kube.OperatorSettings;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.SimulatedEnvironment;
import dev.cinderoperator.sim.db.JdbcDatabases;
import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import dev.cinderoperator.workload.Component;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator in the loop with its real {@code JdbcServiceRegistry}: the simulated processes of a
 * 2 scheduler, 2 backend (one active/active with 2 pods), 2 backup, 2 API cluster write their
 * services rows into a real MariaDB (Cinder's schema, see {@code TestMariaDb.createDatabase}), the
 * cluster's database Secret names that database, and the operator reads and writes it over MariaDB
 * Connector/J. The cluster goes from 2023.2 to 2024.1; the operator is stopped and started again in
 * the middle of every upgrade step it is seen in, and must resume, not restart. Skipped loudly
 * without a mariadbd.
 */
class JdbcRollingUpgradeE2ETest {
  static final String NS = "openstack";
  static final String TARGET_IMAGE = Clusters.REGISTRY + "2024.1";

  TestDatabase db;
  SimulatedEnvironment env;
  OperatorSettings settings;
  LogCapture logs;

  @BeforeEach
  void start() {
    db = TestMariaDb.shared().createDatabase("jdbc_rolling");
    SimConfig config =
        SimConfig.fast()
            .withNamespace(NS)
            .with(
                d -> {
                  d.podStartDelay = Duration.ofMillis(150);
                  d.jobRunTime = Duration.ofMillis(200);
                });
    settings =
        OperatorSettings.defaults()
            .withPollIntervals(Duration.ofMillis(200), Duration.ofSeconds(2))
            .withWatchNamespaces(Set.of(NS));
    logs = LogCapture.begin();
    env =
        SimulatedEnvironment.start(
            config,
            settings,
            new SimulatedEnvironment.Wiring(
                ReleaseCatalog.standard(),
                JdbcDatabases.factory(db.url(), config.clock()),
                ServiceRegistryPool::guardedJdbc,
                sim -> {}));
    env.createSecrets(NS, db.sqlAlchemyUrl(), SimulatedEnvironment.TRANSPORT_URL);
  }

  @AfterEach
  void stop() {
    try {
      if (env != null) {
        ScenarioProofs.verify(env, settings, NS, logs.lines());
      }
    } finally {
      if (env != null) {
        env.close();
      }
      logs.close();
      if (db != null) {
        db.drop();
      }
    }
  }

  @Test
  void upgradesWithRowsInMariaDbAndResumesAfterARestartInEveryStep() throws Exception {
    env.client()
        .resource(
            Clusters.of(
                "cinder",
                NS,
                "2023.2",
                2,
                2,
                2,
                Clusters.backend("ceph-ssd", 1),
                Clusters.backend("ceph-hdd", 2)))
        .create();
    await().atMost(Duration.ofSeconds(60)).until(() -> phase() == Phase.Ready);
    assertThat(liveRows("cinder-volume")).hasSize(3);

    List<UpgradeStatus> seen = new ArrayList<>();
    Set<UpgradeStep> restartedIn = EnumSet.noneOf(UpgradeStep.class);
    AtomicBoolean done = new AtomicBoolean();
    Thread restarter =
        new Thread(
            () -> {
              while (!done.get()) {
                CinderCluster cc = env.get(NS, "cinder");
                UpgradeStatus u =
                    cc == null || cc.getStatus() == null ? null : cc.getStatus().getUpgrade();
                if (u != null && u.getStep() != null && u.getFinishedAt() == null) {
                  synchronized (seen) {
                    seen.add(u);
                  }
                  if (u.getStep() != UpgradeStep.Complete && restartedIn.add(u.getStep())) {
                    env.stopOperator(); // mid-step: whatever it was doing is cut off
                    env.startOperator();
                  }
                }
                try {
                  Thread.sleep(20); // the poll period of this observer, not a wait for a state
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "operator-restarter");
    restarter.start();

    env.editSpec(
        NS,
        "cinder",
        spec -> {
          spec.setRelease("2024.1");
          spec.setImage(TARGET_IMAGE);
        });
    try {
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () -> {
                CinderCluster cc = env.get(NS, "cinder");
                return cc.getStatus() != null
                    && "2024.1".equals(cc.getStatus().getRelease())
                    && cc.getStatus().getPhase() == Phase.Ready;
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // say where it stuck: the status as the operator left it
      throw new AssertionError(
          "not Ready on 2024.1 within 120 s; restarted in "
              + restartedIn
              + "; status: "
              + env.client().getKubernetesSerialization().asJson(env.get(NS, "cinder").getStatus()),
          e);
    } finally {
      done.set(true);
      restarter.join();
    }

    CinderCluster finished = env.get(NS, "cinder");
    assertThat(finished.getStatus().getUpgrade().getStep()).isEqualTo(UpgradeStep.Complete);
    System.out.println("operator restarted in steps " + restartedIn);
    assertThat(restartedIn)
        .contains(
            UpgradeStep.RollingScheduler,
            UpgradeStep.RollingVolume,
            UpgradeStep.RollingBackup,
            UpgradeStep.RollingApi);

    // resumed, not restarted: one upgrade start, progress never went back
    synchronized (seen) {
      assertThat(seen.stream().map(UpgradeStatus::getStartedAt).distinct()).hasSize(1);
      for (int i = 1; i < seen.size(); i++) {
        assertThat(seen.get(i).getStep().ordinal())
            .as("step after %s", seen.get(i - 1).getStep())
            .isGreaterThanOrEqualTo(seen.get(i - 1).getStep().ordinal());
      }
    }
    // no second db sync, no pod already on the target image replaced again
    assertThat(
            env.sim().recorder().jobRuns().stream()
                .filter(j -> Component.DB_SYNC.label().equals(j.component()))
                .filter(j -> TARGET_IMAGE.equals(j.image()) && j.exitCode() == 0)
                .map(JobRunEvent::job))
        .hasSize(1);
    assertThat(
            env.sim().recorder().pods().stream()
                .filter(p -> p.kind() == PodEvent.Kind.DELETED)
                .filter(p -> TARGET_IMAGE.equals(p.image()))
                // service pods: a finished job's pod goes with its job once the outcome is in
                // status
                .filter(
                    p ->
                        List.of(
                                Component.SCHEDULER.label(),
                                Component.VOLUME.label(),
                                Component.BACKUP.label())
                            .contains(p.component()))
                .map(PodEvent::pod))
        .isEmpty();
    assertThat(env.sim().invariants().violations()).isEmpty();

    // the rows in MariaDB: every service on its pod's host, reporting 2024.1's versions
    assertThat(liveRows("cinder-scheduler")).containsOnly("3.12");
    assertThat(liveRows("cinder-volume")).containsOnly("3.19").hasSize(3);
    assertThat(liveRows("cinder-backup")).containsOnly("2.4").hasSize(2);
    assertThat(
            db.column(
                "SELECT host FROM services WHERE deleted = 0 AND `binary` = 'cinder-volume'"
                    + " ORDER BY host"))
        .containsExactly(
            "cinder-volume-ceph-hdd-0@ceph-hdd",
            "cinder-volume-ceph-hdd-1@ceph-hdd",
            "cinder-volume-ceph-ssd-0@ceph-ssd");
  }

  List<Object> liveRows(String binary) {
    return db.column(
        "SELECT rpc_current_version FROM services WHERE deleted = 0 AND `binary` = ?", binary);
  }

  Phase phase() {
    CinderCluster cc = env.get(NS, "cinder");
    return cc == null || cc.getStatus() == null ? null : cc.getStatus().getPhase();
  }
}
