package dev.cinderoperator.sim.cinder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.cinder.JobKind;
import dev.cinderoperator.cinder.JobOutcome;
import dev.cinderoperator.sim.node.ContainerRuntime;
import org.junit.jupiter.api.Test;

/** The simulated check behaves as 21.3.1's did on this machine (operator's cinder-21.3.1/*.out). */
class SimulatedUpgradeCheckTest {
  static final String COMMON = "[DEFAULT]\nstate_path = /var/lib/cinder\n";
  static final String WHOLE =
      "[DEFAULT]\nenabled_backends = legacy,fake\n"
          + "[legacy]\nvolume_driver = cinder.volume.drivers.sheepdog.SheepdogDriver\n"
          + "[fake]\nvolume_driver = cinder.tests.fake_driver.FakeLoggingVolumeDriver\n";

  @Test
  void withCinderConfAloneARemovedDriverPassesBlindly() {
    assertThat(SimulatedUpgradeCheck.run(IniFile.parse(COMMON), 0).exitCode()).isZero();
  }

  @Test
  void withTheWholeConfigurationItFailsInCindersWords() {
    ContainerRuntime.JobResult r = SimulatedUpgradeCheck.run(IniFile.parse(COMMON + WHOLE), 0);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(JobOutcome.of(JobKind.UPGRADE_CHECK, r.exitCode(), r.message(), 0).message())
        .contains(
            "Check 'Removed Drivers': Failure: Found driver"
                + " cinder.volume.drivers.sheepdog.SheepdogDriver configured in your cinder.conf"
                + " file.");
  }

  @Test
  void aBackupDriverGivenAsAModulePathIsAWarning() {
    ContainerRuntime.JobResult r =
        SimulatedUpgradeCheck.run(
            IniFile.parse(COMMON + "backup_driver = cinder.backup.drivers.posix\n"), 0);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(JobOutcome.of(JobKind.UPGRADE_CHECK, 1, r.message(), 0).verdict())
        .isEqualTo(JobOutcome.Verdict.SUCCEEDED_WITH_WARNINGS);
  }
}
