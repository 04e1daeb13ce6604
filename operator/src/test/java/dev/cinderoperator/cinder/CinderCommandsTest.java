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
}
