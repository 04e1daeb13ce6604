package dev.cinderoperator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStep;
import org.junit.jupiter.api.Test;

class StartUpgradeTest {

  @Test
  void firstInstallIsNotAnUpgrade() {
    World w = World.running();
    w.status.setImage(null);
    w.status.setRelease(null);
    Decision d = w.plan();
    assertThat(d.action()).isInstanceOf(Action.Idle.class);
    assertThat(((Action.Idle) d.action()).reason()).isEqualTo("FirstInstall");
    assertThat(d.phase()).isNull();
  }

  @Test
  void nothingChangedIsIdle() {
    Decision d = World.running().plan();
    assertThat(d.action()).isInstanceOf(Action.Idle.class);
    assertThat(d.phase()).isNull();
  }

  @Test
  void nextReleaseStartsARollingUpgradeAtPreflight() {
    World w = World.upgradeRequested();
    Decision d = w.plan();
    assertThat(d.action())
        .isEqualTo(
            new Action.StartUpgrade(
                "2023.2", "2024.1", World.OLD, World.NEW, UpgradeMode.Rolling, 16));
    assertThat(d.step()).isEqualTo(UpgradeStep.Preflight);
    assertThat(d.upgrade().getStartedAt()).isEqualTo(World.T0.toString());
    assertThat(d.totalSteps()).isEqualTo(16);
    assertThat(d.completedSteps()).isZero();
    assertThat(d.phase()).isEqualTo(Phase.Upgrading);
  }

  @Test
  void newImageOfTheSameReleaseIsARollingImageChange() {
    World w = World.running();
    w.spec.setImage(World.OLD + "-patched");
    Decision d = w.plan();
    assertThat(d.action()).isInstanceOf(Action.StartUpgrade.class);
    assertThat(((Action.StartUpgrade) d.action()).mode()).isEqualTo(UpgradeMode.Rolling);
    w.imageVersions.put(World.OLD + "-patched", w.imageVersions.get(World.OLD));
    w.apply(d);
    Decision done = w.stepUntil(x -> x.action() instanceof Action.Complete || x.stalled(), 400);
    assertThat(done.action()).isInstanceOf(Action.Complete.class);
  }

  @Test
  void skipLevelWithoutPermissionStallsNamingTheFieldAndTheSeriesBetween() {
    World w = World.running();
    w.spec.setRelease("2024.1");
    w.status.setRelease("2023.1");
    w.spec.setImage(World.NEW);
    Decision d = w.plan();
    assertThat(d.action()).isInstanceOf(Action.Stall.class);
    Action.Stall s = (Action.Stall) d.action();
    assertThat(s.reason()).isEqualTo("SkipLevelNotAllowed");
    assertThat(s.message()).contains("spec.upgrade.allowSkipLevel").contains("2023.2");
    assertThat(d.phase()).isEqualTo(Phase.Stalled);
    assertThat(d.upgrade()).isNull();
  }

  @Test
  void skipLevelWithPermissionRunsOffline() {
    World w = World.running();
    w.status.setRelease("2023.1");
    w.spec.setRelease("2024.1");
    w.spec.setImage(World.NEW);
    w.policy().setAllowSkipLevel(true);
    Decision d = w.plan();
    assertThat(((Action.StartUpgrade) d.action()).mode()).isEqualTo(UpgradeMode.Offline);
    assertThat(d.totalSteps()).isEqualTo(8);
  }

  @Test
  void downgradeIsRefused() {
    World w = World.running();
    w.spec.setRelease("2023.1");
    w.spec.setImage("registry.example.com/openstack/cinder:2023.1");
    Action.Stall s = (Action.Stall) w.plan().action();
    assertThat(s.reason()).isEqualTo("DowngradeRefused");
    assertThat(s.message()).contains("cannot be downgraded").contains("2023.2");
  }

  @Test
  void unknownReleaseIsRefusedSayingHowSeriesAreNamed() {
    World w = World.running();
    w.spec.setRelease("2030.3");
    w.spec.setImage("x:2030.3");
    Action.Stall s = (Action.Stall) w.plan().action();
    assertThat(s.reason()).isEqualTo("UnknownRelease");
    assertThat(s.message()).contains("2030.3").contains("YYYY.1");
  }

  @Test
  void aSeriesNewerThanTheCatalogRollsOnWhatTheProbeReads() {
    World w = World.running();
    w.status.setRelease("2027.1");
    w.spec.setRelease("2027.2");
    w.spec.setImage(World.NEW);
    w.imageVersions.put(World.OLD, w.imageVersions.get(World.NEW));
    Decision d = w.plan();
    assertThat(((Action.StartUpgrade) d.action()).mode()).isEqualTo(UpgradeMode.Rolling);
    w.apply(d);
    Decision done = w.stepUntil(x -> x.action() instanceof Action.Complete || x.stalled(), 400);
    assertThat(done.action()).isInstanceOf(Action.Complete.class);
    assertThat(done.upgrade().getTargets())
        .extracting(p -> p.getBinary() + " " + p.getRpcVersion())
        .contains("cinder-volume 3.19");
  }

  @Test
  void jumpOverMoreThanOneReleaseIsRefused() {
    World w = World.running();
    w.spec.setRelease("2024.2");
    w.spec.setImage("x:2024.2");
    Action.Stall s = (Action.Stall) w.plan().action();
    assertThat(s.reason()).isEqualTo("UnsupportedJump");
    assertThat(s.message()).contains("2024.1 first");
  }

  @Test
  void databaseUnavailableWaitsAndStartsNothing() {
    World w = World.upgradeRequested();
    w.databaseUp = false;
    Decision d = w.plan();
    assertThat(d.action()).isInstanceOf(Action.Wait.class);
    assertThat(((Action.Wait) d.action()).reason()).isEqualTo("DatabaseUnavailable");
    assertThat(d.upgrade()).isNull();
  }

  @Test
  void databaseUnavailableMidUpgradeNeverActs() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingVolume);
    w.databaseUp = false;
    Decision d = w.plan();
    assertThat(((Action.Wait) d.action()).reason()).isEqualTo("DatabaseUnavailable");
    assertThat(d.action().changesWorld()).isFalse();
    assertThat(d.step()).isEqualTo(UpgradeStep.RollingVolume);
    assertThat(d.phase()).isEqualTo(Phase.Upgrading);
  }
}
