package dev.cinderoperator.install;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.testing.Samples;
import dev.cinderoperator.upgrade.JobState;
import dev.cinderoperator.upgrade.JobView;
import dev.cinderoperator.upgrade.PodView;
import dev.cinderoperator.workload.Component;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FirstInstallTest {
  static final String IMAGE = Samples.IMAGE_2023_2;
  final CinderClusterSpec spec = Samples.cluster("cinder", "ns").getSpec();
  final String job = FirstInstall.dbSyncJob("cinder", IMAGE);

  static PodView pod(String name, Component component, String image, boolean ready) {
    return new PodView(
        name,
        component,
        null,
        null,
        image,
        null,
        ready,
        ready,
        false,
        null,
        null,
        0,
        "uid-" + name);
  }

  /** Every pod the sample spec asks for, on the image and Ready. */
  static List<PodView> allPods(String image) {
    List<PodView> pods = new ArrayList<>();
    for (String p :
        List.of(
            "cinder-scheduler-0",
            "cinder-scheduler-1",
            "cinder-volume-ceph-ssd-0",
            "cinder-volume-ceph-hdd-0",
            "cinder-volume-ceph-hdd-1",
            "cinder-backup-0")) {
      pods.add(pod(p, Component.SCHEDULER, image, true));
    }
    pods.add(pod("cinder-api-a", Component.API, image, true));
    pods.add(pod("cinder-api-b", Component.API, image, true));
    return pods;
  }

  JobView dbSync(JobState state, Integer exitCode, String message) {
    return new JobView(job, Component.DB_SYNC, IMAGE, state, exitCode, message, null, null);
  }

  FirstInstall.Plan next(JobView dbSync, List<PodView> pods, boolean servicesRead) {
    PodReadiness readiness = PodReadiness.of("cinder", spec, pods, IMAGE);
    return FirstInstall.next(
        new FirstInstall.Observation("cinder", IMAGE, "2023.2", dbSync, readiness, servicesRead));
  }

  @Test
  void theSchemaComesFirstOnOneDbSyncJobPerImage() {
    FirstInstall.Plan plan = next(null, List.of(), false);

    assertThat(plan.createJob()).isEqualTo(job).startsWith("cinder-db-sync-");
    assertThat(plan.jobStarted()).contains("cinder-manage db sync on " + IMAGE);
    assertThat(plan.applyWorkloads()).isFalse();
    assertThat(plan.phase()).isEqualTo(Phase.Deploying);
    assertThat(plan.reason()).isEqualTo("SchemaMigration");
    assertThat(FirstInstall.dbSyncJob("cinder", Samples.IMAGE_2024_1)).isNotEqualTo(job);
  }

  @Test
  void noWorkloadsWhileTheDbSyncRuns() {
    FirstInstall.Plan plan = next(dbSync(JobState.ACTIVE, null, null), allPods(IMAGE), true);

    assertThat(plan.createJob()).isNull();
    assertThat(plan.applyWorkloads()).isFalse();
    assertThat(plan.reason()).isEqualTo("SchemaMigration");
    assertThat(plan.recheck()).isEqualTo(FirstInstall.Recheck.WATCHED);
  }

  @Test
  void aFailedDbSyncStallsNamingTheJobItsExitAndTheFix() {
    FirstInstall.Plan plan =
        next(dbSync(JobState.FAILED, 1, "Access denied\nfor user cinder"), List.of(), false);

    assertThat(plan.phase()).isEqualTo(Phase.Stalled);
    assertThat(plan.reason()).isEqualTo("DbSyncFailed");
    assertThat(plan.message())
        .contains("job " + job + " (cinder-manage db sync) failed (exit code 1: Access denied for")
        .contains("kubectl logs job/" + job)
        .contains("delete the job to run it again");
    assertThat(plan.applyWorkloads()).isFalse();
    assertThat(plan.createJob()).isNull();
  }

  @Test
  void afterTheSchemaTheWorkloadsAreAppliedAndThePodsAwaited() {
    List<PodView> pods = new ArrayList<>(allPods(IMAGE));
    pods.set(2, pod("cinder-volume-ceph-ssd-0", Component.VOLUME, IMAGE, false));
    JobView done = dbSync(JobState.SUCCEEDED, 0, null);

    FirstInstall.Plan plan = next(done, pods, false);

    assertThat(plan.applyWorkloads()).isTrue();
    assertThat(plan.phase()).isEqualTo(Phase.Deploying);
    assertThat(plan.reason()).isEqualTo("WaitingForPods");
    assertThat(plan.message())
        .isEqualTo("7/8 pods Ready on " + IMAGE + "; waiting for cinder-volume-ceph-ssd-0");
    assertThat(FirstInstall.readsServices(done, PodReadiness.of("cinder", spec, pods, IMAGE)))
        .isFalse();
  }

  @Test
  void readyOnceEveryPodRunsTheImageAndTheServicesTableIsRead() {
    JobView done = dbSync(JobState.SUCCEEDED, 0, null);
    assertThat(
            FirstInstall.readsServices(
                done, PodReadiness.of("cinder", spec, allPods(IMAGE), IMAGE)))
        .isTrue();

    FirstInstall.Plan plan = next(done, allPods(IMAGE), true);

    assertThat(plan.phase()).isEqualTo(Phase.Ready);
    assertThat(plan.deployed())
        .isEqualTo("Cinder 2023.2 runs on " + IMAGE + ": 8/8 pods Ready on " + IMAGE);
    assertThat(plan.recheck()).isEqualTo(FirstInstall.Recheck.IDLE);
  }

  @Test
  void everyPodReadyButNoDatabaseIsNotReady() {
    FirstInstall.Plan plan = next(dbSync(JobState.SUCCEEDED, 0, null), allPods(IMAGE), false);

    assertThat(plan.phase()).isEqualTo(Phase.Deploying);
    assertThat(plan.reason()).isEqualTo("DatabaseUnavailable");
    assertThat(plan.deployed()).isNull();
    assertThat(plan.recheck()).isEqualTo(FirstInstall.Recheck.POLL);
  }

  @Test
  void anApiPodOnAnotherImageKeepsTheClusterFromReady() {
    List<PodView> pods = new ArrayList<>(allPods(IMAGE));
    pods.add(pod("cinder-api-old", Component.API, "registry/cinder:old", true));

    PodReadiness r = PodReadiness.of("cinder", spec, pods, IMAGE);

    assertThat(r.allReady()).isFalse();
    assertThat(r.ready()).isEqualTo(8);
    assertThat(r.summary()).endsWith("; API 2/2");
  }

  @Test
  void aTerminatingPodDoesNotCountAsServing() {
    List<PodView> pods = new ArrayList<>(allPods(IMAGE));
    PodView gone = pods.get(0);
    pods.set(
        0,
        new PodView(
            gone.name(),
            gone.component(),
            null,
            null,
            IMAGE,
            null,
            true,
            true,
            true,
            null,
            null,
            0,
            gone.uid()));

    PodReadiness r = PodReadiness.of("cinder", spec, pods, IMAGE);

    assertThat(r.allReady()).isFalse();
    assertThat(r.summary()).contains("waiting for cinder-scheduler-0");
  }
}
