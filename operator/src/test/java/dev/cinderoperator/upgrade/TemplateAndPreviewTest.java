package dev.cinderoperator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.workload.Component;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

  @ParameterizedTest
  @CsvSource({
    "2023.2, 2025.1, UnsupportedJump, 'Refused (UnsupportedJump): from 2023.2 to 2025.1 is more"
        + " than one release at a time. Cinder upgrades N to N+1, or from one SLURP release to the"
        + " next; upgrade to 2024.1 first.'",
    "2023.2, 2023.1, DowngradeRefused, 'Refused (DowngradeRefused): 2023.1 is older than the"
        + " running release 2023.2, and Cinder''s database cannot be downgraded.'",
    "2023.2, 2099.3, UnknownRelease, 'Refused (UnknownRelease): 2099.3 is not the name of an"
        + " OpenStack series ('",
    "2024.1, 2025.1, SkipLevelNotAllowed, 'Refused (SkipLevelNotAllowed): from 2024.1 to 2025.1"
        + " is a SLURP jump, which runs offline (every Cinder service stopped during the db sync)."
        + " Set spec.upgrade.allowSkipLevel: true to accept the downtime, or upgrade one release"
        + " at a time.'",
  })
  void previewOfARefusedPathSaysWhyInOneSentenceWithTheOperatorsReason(
      String running, String target, String reason, String text) {
    World w = World.running();
    w.status.setRelease(running);
    w.spec.setRelease(target);
    w.spec.setImage("x:" + target);
    UpgradePreview p =
        planner.preview(World.CLUSTER, w.spec, w.status, new ArrayList<>(), World.CATALOG);
    assertThat(p.steps()).isEmpty();
    assertThat(p.refused()).isTrue();
    assertThat(p.refusal()).isEqualTo(reason);
    assertThat(p.summary()).startsWith(text).endsWith(".").doesNotContain("\n");
  }

  @Test
  void previewOfTheRunningReleaseIsNothingToDoNotARefusal() {
    World w = World.running();
    UpgradePreview p =
        planner.preview(World.CLUSTER, w.spec, w.status, new ArrayList<>(), World.CATALOG);
    assertThat(p.refused()).isFalse();
    assertThat(p.steps()).isEmpty();
    assertThat(p.summary()).startsWith("Already on 2023.2").endsWith("nothing to upgrade.");
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
