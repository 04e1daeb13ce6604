package dev.cinderoperator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.BackupSpec;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.VolumeBackendSpec;
import dev.cinderoperator.cinder.CinderCommands;
import dev.cinderoperator.cinder.CinderConf;
import dev.cinderoperator.cinder.JobOutcome;
import dev.cinderoperator.db.testing.PodSandbox;
import dev.cinderoperator.db.testing.RealCinder;
import dev.cinderoperator.db.testing.TestDatabase;
import dev.cinderoperator.db.testing.TestMariaDb;
import dev.cinderoperator.testing.Samples;
import dev.cinderoperator.workload.CinderJobs;
import dev.cinderoperator.workload.Component;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code cinder-status upgrade check} of Debian's 21.3.1, run as the operator's upgrade-check Job
 * pod ({@link PodSandbox}: its exact command and mounts), against a configuration with a driver
 * that Cinder removed (Sheepdog). Its "Removed Drivers" check reads {@code enabled_backends} and
 * each backend's {@code volume_driver}: with {@code cinder.conf} alone, as the job once ran, or
 * with the per-backend files one after another (the last {@code enabled_backends} wins), it passes
 * blindly; with the job's whole configuration it fails, and the upgrade stalls before the db sync
 * in the check's own words.
 */
class UpgradeCheckRealCinderTest {
  private static Path dir;
  private static TestDatabase db;
  private static CinderClusterSpec spec;
  private static Map<String, String> files;

  @BeforeAll
  static void setUp() throws IOException {
    RealCinder.assumePodsAvailable();
    dir =
        Files.createDirectories(
            Path.of("target", "upgrade-check-" + ProcessHandle.current().pid()).toAbsolutePath());
    db = TestMariaDb.shared().createEmptyDatabase("check_" + ProcessHandle.current().pid());
    spec = Samples.cluster("cinder", "openstack").getSpec();
    VolumeBackendSpec fake = new VolumeBackendSpec("fake");
    fake.setConfig(Map.of("volume_driver", "cinder.tests.fake_driver.FakeLoggingVolumeDriver"));
    VolumeBackendSpec legacy = new VolumeBackendSpec("legacy");
    legacy.setConfig(Map.of("volume_driver", "cinder.volume.drivers.sheepdog.SheepdogDriver"));
    spec.setVolumes(new ArrayList<>(List.of(legacy, fake)));
    BackupSpec backup = new BackupSpec();
    backup.setReplicas(1);
    backup.setConfig(Map.of("backup_driver", "cinder.backup.drivers.posix.PosixBackupDriver"));
    spec.setBackup(backup);
    files = CinderConf.render("cinder", spec, db.sqlAlchemyUrl(), "fake://");
    Run sync = run("db-sync", Component.DB_SYNC, CinderCommands.standard().dbSync());
    assertThat(sync.exit()).as(sync.output()).isZero();
  }

  @AfterAll
  static void tearDown() {
    if (db != null) {
      db.drop();
    }
  }

  @Test
  void withCinderConfAloneOrThePerBackendFilesInARowTheCheckPassesBlindly() {
    String common = CinderCommands.DEFAULT_CONFIG_FILE;
    Run alone =
        run(
            "check-common-only",
            Component.UPGRADE_CHECK,
            List.of("cinder-status", "--config-file", common, "--nodebug", "upgrade", "check"));
    assertThat(alone.exit()).as(alone.output()).isZero();

    String dirPrefix = CinderConf.CONFIG_DIR + "/";
    Run inARow =
        runWithFiles(
            "check-in-a-row",
            List.of(
                CinderConf.COMMON_FILE,
                CinderConf.volumeFile("legacy"),
                CinderConf.volumeFile("fake")),
            List.of(
                "cinder-status",
                "--config-file",
                common,
                "--config-file",
                dirPrefix + CinderConf.volumeFile("legacy"),
                "--config-file",
                dirPrefix + CinderConf.volumeFile("fake"),
                "--nodebug",
                "upgrade",
                "check"));
    assertThat(inARow.exit()).as("the last enabled_backends wins: " + inARow.output()).isZero();
  }

  @Test
  void theOperatorsCheckJobSeesTheRemovedDriverAndTheUpgradeStallsBeforeTheDbSync() {
    Run check = run("check", Component.UPGRADE_CHECK, CinderCommands.standard().upgradeCheck());
    assertThat(check.exit()).as(check.output()).isEqualTo(2);
    String message = terminationMessage(check.output());
    JobOutcome outcome =
        JobOutcome.of(dev.cinderoperator.cinder.JobKind.UPGRADE_CHECK, check.exit(), message, 0);
    assertThat(outcome.reason()).isEqualTo("UpgradeCheckFailed");

    // The planner, fed this run as the upgrade's check job: Preflight stalls, no db sync.
    World w = World.upgradeRequested();
    for (int i = 0; i < 40; i++) {
      Decision d = w.plan();
      w.apply(d);
      if (d.action() instanceof Action.CreateJob j && j.kind() == UpgradeJob.UPGRADE_CHECK) {
        w.finishedJob(UpgradeJob.UPGRADE_CHECK, World.NEW, 0, check.exit(), message);
        break;
      }
      w.settle();
    }
    Decision d = w.plan();
    Action.Stall s = (Action.Stall) d.action();
    assertThat(s.reason()).isEqualTo("UpgradeCheckFailed");
    assertThat(s.message())
        .contains(
            "Check 'Removed Drivers': Failure: Found driver"
                + " cinder.volume.drivers.sheepdog.SheepdogDriver configured in your cinder.conf"
                + " file. This driver has been removed and all data should be migrated off of"
                + " this backend before upgrading Cinder.");
    assertThat(d.step()).isEqualTo(dev.cinderoperator.api.UpgradeStep.Preflight);
    assertThat(w.jobs.keySet()).noneMatch(name -> name.contains("db-sync"));
  }

  // --- running a Job's pod --------------------------------------------------------------

  record Run(int exit, String output) {}

  private static Run run(String name, Component component, List<String> command) {
    PodSpec pod =
        CinderJobs.job(
                "cinder", "openstack", spec, name, component, spec.getImage(), command, files)
            .getSpec()
            .getTemplate()
            .getSpec();
    return start(name, pod, command);
  }

  /** The job's pod with other Secret items mounted (a layout the operator does not use). */
  private static Run runWithFiles(String name, List<String> items, List<String> command) {
    PodSpec pod =
        CinderJobs.job(
                "cinder",
                "openstack",
                spec,
                name,
                Component.UPGRADE_CHECK,
                spec.getImage(),
                command,
                files)
            .getSpec()
            .getTemplate()
            .getSpec();
    pod.getVolumes().stream()
        .filter(v -> v.getSecret() != null)
        .forEach(
            v ->
                v.getSecret()
                    .setItems(
                        items.stream()
                            .map(
                                f ->
                                    new io.fabric8.kubernetes.api.model.KeyToPathBuilder()
                                        .withKey(f)
                                        .withPath(f)
                                        .build())
                            .toList()));
    return start(name, pod, command);
  }

  private static Run start(String name, PodSpec pod, List<String> command) {
    Path log = dir.resolve(name + ".log");
    Process p = new PodSandbox(dir.resolve(name), pod, files).start(command, Map.of(), log);
    try {
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        PodSandbox.stop(p);
        throw new AssertionError(name + " did not finish in 180 s");
      }
      return new Run(p.exitValue(), Files.readString(log));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** What Kubernetes keeps of a failed container's log: the last 80 lines, at most 2048 bytes. */
  static String terminationMessage(String log) {
    String[] lines = log.split("\n", -1);
    String tail =
        String.join(
            "\n",
            java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 80), lines.length));
    return tail.length() <= 2048 ? tail : tail.substring(tail.length() - 2048);
  }
}
