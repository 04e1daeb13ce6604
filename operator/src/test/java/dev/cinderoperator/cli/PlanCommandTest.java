package dev.cinderoperator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `plan` prints the steps of an upgrade and refuses what the operator would refuse. */
class PlanCommandTest {
  static final Path PRODUCTION = Path.of("..", "docs", "examples", "production.yaml");

  String run(String... args) {
    PlanCommand cmd = new PlanCommand();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    cmd.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int code = new CommandLine(cmd).execute(args);
    return code + "\n" + bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aRollingUpgradeListsEveryStepWithItsJobsAndPods() {
    String out = run("-f", PRODUCTION.toString(), "--from", "2023.2");
    assertThat(out).startsWith("0\n");
    assertThat(out)
        .contains("Preflight", "SchemaMigration", "Pinning", "RollingScheduler", "RollingVolume")
        .contains("RollingBackup", "RollingApi", "Unpinning", "DataMigration")
        .contains("cinder-db-sync-")
        .contains("cinder-volume-ceph-hdd-1");
    assertThat(out.indexOf("RollingScheduler")).isLessThan(out.indexOf("RollingVolume"));
  }

  @Test
  void aDowngradeIsRefused() {
    String out = run("-f", PRODUCTION.toString(), "--from", "2025.1");
    assertThat(out).containsIgnoringCase("downgrade");
    assertThat(out).doesNotContain("SchemaMigration");
  }

  @Test
  void anInvalidFileIsReportedWithTheField() throws Exception {
    Path bad = java.nio.file.Files.createTempFile("cc", ".yaml");
    java.nio.file.Files.writeString(
        bad,
        java.nio.file.Files.readString(PRODUCTION)
            .replace("release: \"2024.1\"", "release: \"2099.3\""));
    String out = run("-f", bad.toString(), "--from", "2023.2");
    assertThat(out).startsWith("1\n").contains("spec.release");
  }

  @Test
  void aSeriesNewerThanTheCatalogIsPreviewedByItsName() throws Exception {
    Path later = java.nio.file.Files.createTempFile("cc", ".yaml");
    java.nio.file.Files.writeString(
        later,
        java.nio.file.Files.readString(PRODUCTION)
            .replace("release: \"2024.1\"", "release: \"2027.1\""));
    String out = run("-f", later.toString(), "--from", "2026.2");
    assertThat(out).contains("Rolling upgrade from 2026.2").contains("SchemaMigration");
    String skip = run("-f", later.toString(), "--from", "2026.1");
    assertThat(skip).contains("allowSkipLevel");
  }
}
