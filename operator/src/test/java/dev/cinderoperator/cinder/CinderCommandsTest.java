package dev.cinderoperator.cinder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CinderCommandsTest {
  private final CinderCommands commands = CinderCommands.standard();

  @Test
  void rollingDbSyncNeverBumpsVersions() {
    assertThat(commands.dbSync())
        .containsExactly(
            "cinder-manage",
            "--config-file",
            "/etc/cinder-operator/cinder.conf",
            "--nodebug",
            "db",
            "sync")
        .doesNotContain("--bump-versions");
    assertThat(commands.dbSyncBumpingVersions()).endsWith("db", "sync", "--bump-versions");
  }

  @Test
  void dataMigrationsRunOneBoundedPass() {
    assertThat(commands.onlineDataMigrations(50))
        .containsExactly(
            "cinder-manage",
            "--config-file",
            "/etc/cinder-operator/cinder.conf",
            "--nodebug",
            "db",
            "online_data_migrations",
            "--max_count",
            "50");
    assertThatThrownBy(() -> commands.onlineDataMigrations(0))
        .hasMessageContaining("spec.upgrade.onlineDataMigrationBatch is 0");
  }

  @Test
  void upgradeCheckAndProbe() {
    assertThat(new CinderCommands("/etc/cinder-operator/other.conf").upgradeCheck())
        .containsExactly(
            "cinder-status",
            "--config-file",
            "/etc/cinder-operator/other.conf",
            "--nodebug",
            "upgrade",
            "check");
    assertThat(commands.versionProbe())
        .hasSize(4)
        .startsWith("python3", "-c")
        .endsWith("/dev/termination-log");
    assertThat(commands.versionProbe().get(2)).contains("OBJ_VERSIONS", "RPC_API_VERSION");
  }

  /** The batch loop run with Python against a stand-in that migrates 3 batches, then is done. */
  @org.junit.jupiter.api.Test
  void theBatchLoopRunsTheToolUntilItStopsSayingMoreToDo(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path tool = dir.resolve("cinder-manage");
    java.nio.file.Files.writeString(
        tool,
        "#!/bin/sh\nn=$(cat "
            + dir
            + "/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > "
            + dir
            + "/n\necho \"batch $n\"\n[ $n -le 3 ] && exit 1\nexit 0\n");
    tool.toFile().setExecutable(true);
    java.nio.file.Path term = dir.resolve("termination-log");
    java.util.List<String> argv =
        new java.util.ArrayList<>(
            CinderCommands.standard().onlineDataMigrationsUntilDone(50, term.toString()));
    assertThat(CinderCommands.isBatchLoop(argv)).isTrue();
    argv.set(0, "/usr/bin/python3");
    int at = argv.indexOf("cinder-manage");
    argv.set(at, tool.toString());
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).contains("batch 1", "batch 4");
    assertThat(java.nio.file.Files.readString(term))
        .startsWith("online_data_migrations: 4 run(s) of --max_count 50, last exit 0");
  }
}
