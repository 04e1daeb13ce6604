package dev.cinderoperator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.workload.Component;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class TemplateAndPreviewTest {
  private final UpgradePlanner planner = new UpgradePlanner();

  private static CinderClusterStatus status(UpgradeMode mode, UpgradeStep step) {
    CinderClusterStatus st = new CinderClusterStatus();
    st.setRelease("2023.2");
    st.setImage(World.OLD);
    UpgradeStatus u = new UpgradeStatus();
    u.setMode(mode);
    u.setStep(step);
    u.setFromImage(World.OLD);
    u.setToImage(World.NEW);
    st.setUpgrade(u);
    return st;
  }

  @Test
  void templatesKeepTheRunningImageUntilTheirComponentsTurn() {
    World w = World.upgradeRequested();
    CinderClusterStatus pinning = status(UpgradeMode.Rolling, UpgradeStep.Pinning);
    CinderClusterStatus volumes = status(UpgradeMode.Rolling, UpgradeStep.RollingVolume);
    assertThat(planner.templateImage(pinning, w.spec, Component.SCHEDULER, null))
        .isEqualTo(World.OLD);
    assertThat(planner.templateImage(volumes, w.spec, Component.SCHEDULER, null))
        .isEqualTo(World.NEW);
    assertThat(planner.templateImage(volumes, w.spec, Component.VOLUME, "lvm"))
        .isEqualTo(World.NEW);
    assertThat(planner.templateImage(volumes, w.spec, Component.BACKUP, null)).isEqualTo(World.OLD);
    assertThat(planner.templateImage(volumes, w.spec, Component.API, null)).isEqualTo(World.OLD);
    // Spec changed but no upgrade recorded yet (or refused): the running image.
    assertThat(planner.templateImage(w.status, w.spec, Component.API, null)).isEqualTo(World.OLD);
    // First install: the spec.
    assertThat(planner.templateImage(new CinderClusterStatus(), w.spec, Component.API, null))
        .isEqualTo(World.NEW);
  }

  @Test
  void rollbackTemplatesAllGoBackAtOnceAndOfflineSwitchesAtStart() {
    World w = World.upgradeRequested();
    CinderClusterStatus rollback = status(UpgradeMode.Rollback, UpgradeStep.RollingApi);
    rollback.getUpgrade().setToImage(World.OLD);
    rollback.getUpgrade().setFromImage(World.NEW);
    assertThat(planner.templateImage(rollback, w.spec, Component.SCHEDULER, null))
        .isEqualTo(World.OLD);
    CinderClusterStatus offline = status(UpgradeMode.Offline, UpgradeStep.SchemaMigration);
    assertThat(planner.templateImage(offline, w.spec, Component.VOLUME, "ceph"))
        .isEqualTo(World.OLD);
    assertThat(planner.servicesStopped(offline)).isTrue();
    CinderClusterStatus started = status(UpgradeMode.Offline, UpgradeStep.Unpinning);
    assertThat(planner.templateImage(started, w.spec, Component.VOLUME, "ceph"))
        .isEqualTo(World.NEW);
    assertThat(planner.servicesStopped(started)).isFalse();
  }

  @Test
  void previewListsStepsJobsAndPodsInOrderWithoutChangingAnything() {
    World w = World.upgradeRequested();
    UpgradePreview p =
        planner.preview(
            World.CLUSTER, w.spec, w.status, new ArrayList<>(w.pods.values()), World.CATALOG);
    assertThat(p.mode()).isEqualTo(UpgradeMode.Rolling);
    assertThat(p.summary()).contains("2023.2").contains("2024.1");
    assertThat(p.steps())
        .extracting(PlannedStep::step)
        .containsExactly(
            UpgradeStep.Preflight,
            UpgradeStep.SchemaMigration,
            UpgradeStep.Pinning,
            UpgradeStep.RollingScheduler,
            UpgradeStep.RollingVolume,
            UpgradeStep.RollingBackup,
            UpgradeStep.RollingApi,
            UpgradeStep.Unpinning,
            UpgradeStep.DataMigration,
            UpgradeStep.Complete);
    assertThat(p.steps().get(1).jobs()).containsExactly("cinder-db-sync-" + JobHash.of(World.NEW));
    assertThat(p.steps().get(4).pods())
        .containsExactly("cinder-volume-ceph-0", "cinder-volume-lvm-1", "cinder-volume-lvm-0");
    assertThat(p.steps().get(6).pods()).hasSize(2);
    assertThat(w.status.getUpgrade()).isNull();
  }

  @Test
  void previewOfARefusedPathSaysWhy() {
    World w = World.running();
    w.spec.setRelease("2025.1");
    w.spec.setImage("x:2025.1");
    UpgradePreview p =
        planner.preview(World.CLUSTER, w.spec, w.status, new ArrayList<>(), World.CATALOG);
    assertThat(p.steps()).isEmpty();
    assertThat(p.summary()).startsWith("refused").contains("more than one release");
  }

  @Test
  void jobHashIsStableAndShort() {
    assertThat(JobHash.of(World.NEW))
        .hasSize(8)
        .matches("[0-9a-f]{8}")
        .isEqualTo(JobHash.of(World.NEW));
    assertThat(JobHash.of(World.NEW)).isNotEqualTo(JobHash.of(World.OLD));
  }
}
