package dev.cinderoperator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.cinder.ServiceRow;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class VolumeGapTest {
  private static final String CEPH_POD = "cinder-volume-ceph-0";
  private static final String CEPH_HOST = "cinder-volume-ceph-0@ceph";

  /**
   * Replaces the active/passive ceph pod; its new service writes its row {@code startup} after the
   * pod was recreated and heartbeats first one report_interval (10 s) later.
   */
  private static Decision replaceCeph(World w, Duration startup) {
    ServiceRow before = w.row("cinder-volume", CEPH_HOST);
    Decision replace = w.plan();
    assertThat(replace.action()).isInstanceOf(Action.ReplacePod.class);
    assertThat(((Action.ReplacePod) replace.action()).pod()).isEqualTo(CEPH_POD);
    assertThat(replace.upgrade().getVolumeGapHost()).isEqualTo(CEPH_HOST);
    assertThat(replace.upgrade().getVolumeGapFrom()).isEqualTo(before.updatedAt().toString());
    w.apply(replace);

    // The old process reports once more while it shuts down: the gap starts there.
    Instant lastOld = w.dbNow().plusSeconds(3);
    w.putRow(World.withUpdatedAt(before, lastOld));
    w.tick(Duration.ofSeconds(5));
    Decision terminating = w.plan();
    assertThat(terminating.upgrade().getVolumeGapFrom()).isEqualTo(lastOld.toString());
    w.apply(terminating);

    w.settle(); // the StatefulSet recreates the pod
    w.operatorLooks(); // and the operator sees it (reading the row's count)
    w.tick(startup);
    w.settle(); // it is Ready and its service writes its row (not a heartbeat)
    w.reportInterval(); // its first heartbeat
    return w.plan();
  }

  @Test
  void replacingAnActivePassiveBackendReportsTheGapBetweenHeartbeats() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingVolume);
    Instant replacedAt = w.dbNow();

    Decision passed = replaceCeph(w, Duration.ofSeconds(20));

    // Last old heartbeat at +3s; new pod created at +5s, row written 21s later, first heartbeat at
    // +35s.
    Instant firstNew = w.row("cinder-volume", CEPH_HOST).updatedAt();
    assertThat(Duration.between(replacedAt.plusSeconds(3), firstNew)).hasSeconds(32);
    assertThat(passed.upgrade().getLastVolumeGapSeconds()).isEqualTo(32.0);
    assertThat(passed.upgrade().getVolumeGapHost()).isNull();
    assertThat(passed.upgrade().getVolumeGapFrom()).isNull();
    assertThat(passed.notices())
        .containsExactly(
            new Decision.Notice(
                "VolumeServiceGap",
                "backend ceph: cinder-volume was without a live service for 32.0s"
                    + " (service_down_time 60s)",
                false));

    // The next pod belongs to the active/active lvm backend: its peer keeps serving, no gap.
    assertThat(passed.action()).isInstanceOf(Action.ReplacePod.class);
    assertThat(((Action.ReplacePod) passed.action()).pod()).isEqualTo("cinder-volume-lvm-1");
    assertThat(passed.upgrade().getVolumeGapHost()).isNull();
    w.apply(passed);
    assertThat(w.plan().notices()).isEmpty();
  }

  @Test
  void aGapLongerThanServiceDownTimeIsAWarning() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingVolume);

    Decision passed = replaceCeph(w, Duration.ofSeconds(90));

    assertThat(passed.upgrade().getLastVolumeGapSeconds()).isEqualTo(102.0);
    assertThat(passed.notices()).hasSize(1);
    Decision.Notice n = passed.notices().get(0);
    assertThat(n.reason()).isEqualTo("VolumeServiceGap");
    assertThat(n.warning()).isTrue();
    assertThat(n.message())
        .startsWith(
            "backend ceph: cinder-volume was without a live service for 102.0s"
                + " (service_down_time 60s)");
  }

  @Test
  void theGapIsReportedOnceEvenAcrossAnOperatorRestart() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingVolume);
    Decision passed = replaceCeph(w, Duration.ofSeconds(20));
    assertThat(passed.notices()).hasSize(1);
    // The executor wrote the status, then died before acting: the same pass again reports nothing.
    w.status.setUpgrade(UpgradeStatuses.copy(passed.upgrade()));
    Decision again = w.plan();
    assertThat(again.notices()).isEmpty();
    assertThat(again.upgrade().getLastVolumeGapSeconds()).isEqualTo(32.0);
  }
}
