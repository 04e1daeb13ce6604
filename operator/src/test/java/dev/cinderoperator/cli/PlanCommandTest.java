package dev.cinderoperator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * `plan` prints the steps of an upgrade, offline unless --live; exits 2 on what the operator would
 * refuse and 1, with one line, on a mistake in the input.
 */
class PlanCommandTest {
  static final Path PRODUCTION = Path.of("..", "docs", "examples", "production.yaml");

  @TempDir Path dir;

  record Run(int code, List<String> out, List<String> err) {
    String first() {
      return out.isEmpty() ? "" : out.get(0);
    }
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.withErrorHandling(new CommandLine(new PlanCommand()));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString().lines().toList(), err.toString().lines().toList());
  }

  Path file(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  Path production(String from, String to) throws IOException {
    return file("cc.yaml", Files.readString(PRODUCTION).replace(from, to));
  }

  @Test
  void aRollingUpgradeListsEveryStepWithItsJobsAndPods() {
    Run r = run("-f", PRODUCTION.toString(), "--from", "2023.2");
    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.first())
        .isEqualTo(
            "Rolling upgrade from 2023.2 (registry.example.com/openstack/cinder:2023.2) to 2024.1"
                + " (registry.example.com/openstack/cinder:2024.1)");
    String all = String.join("\n", r.out());
    assertThat(all)
        .contains("Preflight", "SchemaMigration", "Pinning", "RollingScheduler", "RollingVolume")
        .contains("RollingBackup", "RollingApi", "Unpinning", "DataMigration")
        .contains("cinder-db-sync-")
        .contains("cinder-volume-ceph-hdd-1");
    assertThat(all.indexOf("RollingScheduler")).isLessThan(all.indexOf("RollingVolume"));
  }

  @ParameterizedTest
  @CsvSource({
    "2025.1, DowngradeRefused",
    "zed, UnsupportedJump",
    "2099.3, UnknownRelease",
  })
  void aRefusalExitsTwoWithTheReasonOnOneLine(String from, String reason) {
    Run r = run("-f", PRODUCTION.toString(), "--from", from);
    assertThat(r.code()).isEqualTo(Main.REFUSED);
    assertThat(r.out()).hasSize(1);
    assertThat(r.first()).startsWith("Refused (" + reason + "): ").endsWith(".");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void aSlurpJumpWithoutAllowSkipLevelIsRefusedInASentence() throws IOException {
    Path jump =
        file(
            "jump.yaml",
            Files.readString(PRODUCTION)
                .replace("release: \"2024.1\"", "release: \"2025.1\"")
                .replace("cinder:2024.1", "cinder:2025.1"));
    Run r = run("-f", jump.toString(), "--from", "2024.1");
    assertThat(r.code()).isEqualTo(Main.REFUSED);
    assertThat(r.out())
        .containsExactly(
            "Refused (SkipLevelNotAllowed): from 2024.1 to 2025.1 is a SLURP jump, which runs"
                + " offline (every Cinder service stopped during the db sync). Set"
                + " spec.upgrade.allowSkipLevel: true to accept the downtime, or upgrade one"
                + " release at a time.");
  }

  @Test
  void theRunningReleaseIsNothingToDo() {
    Run r = run("-f", PRODUCTION.toString(), "--from", "2024.1");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .containsExactly(
            "Already on 2024.1 (registry.example.com/openstack/cinder:2024.1): nothing to"
                + " upgrade.");
  }

  @Test
  void withoutFromOrLiveItPlansFromTheFileAndSaysSoWhenTheFileHasNoStatus() {
    Run r = run("-f", PRODUCTION.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .containsExactly(
            "Nothing deployed yet: the first deployment of 2024.1 is not an upgrade.",
            "(planned from "
                + PRODUCTION
                + ", which has no status: pass --from RELEASE for the release running now, or"
                + " --live to read it from the cluster)");
  }

  @Test
  void theStatusInTheFileIsWhatRunsNow() throws IOException {
    Path withStatus =
        file(
            "live.yaml",
            Files.readString(PRODUCTION)
                + "status:\n"
                + "  release: \"2023.2\"\n"
                + "  image: registry.example.com/openstack/cinder:2023.2-patched\n"
                + "  phase: Ready\n");
    Run r = run("-f", withStatus.toString());
    assertThat(r.code()).isZero();
    assertThat(r.first())
        .startsWith(
            "Rolling upgrade from 2023.2 (registry.example.com/openstack/cinder:2023.2-patched)");
  }

  @Test
  void fromImageAloneTakesTheReleaseFromItsTag() {
    Run r =
        run(
            "-f",
            PRODUCTION.toString(),
            "--from-image",
            "registry.example.com/openstack/cinder:2023.2");
    assertThat(r.code()).isZero();
    assertThat(r.first()).startsWith("Rolling upgrade from 2023.2 (");
  }

  @Test
  void fromImageAloneWithATagThatNamesNoReleaseAsksForFrom() {
    Run r = run("-f", PRODUCTION.toString(), "--from-image", "cinder:build-1234");
    assertThat(r.code()).isEqualTo(Main.ERROR);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .containsExactly(
            "error: --from-image cinder:build-1234: its tag does not name a release, so say which"
                + " one runs: add --from RELEASE");
  }

  @Test
  void liveAndFromTogetherIsAMistake() {
    Run r = run("-f", PRODUCTION.toString(), "--live", "--from", "2023.2");
    assertThat(r.code()).isEqualTo(Main.ERROR);
    assertThat(r.err()).hasSize(1);
    assertThat(r.err().get(0)).startsWith("error: --live reads what runs from the cluster");
  }

  @Test
  void aMissingFileIsOneLine() {
    Run r = run("-f", dir.resolve("nope.yaml").toString(), "--from", "2023.2");
    assertThat(r.code()).isEqualTo(Main.ERROR);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).containsExactly("error: " + dir.resolve("nope.yaml") + ": no such file");
  }

  @Test
  void aMissingFileOptionIsOneLine() {
    Run r = run("--from", "2023.2");
    assertThat(r.code()).isEqualTo(Main.ERROR);
    assertThat(r.err())
        .containsExactly("error: Missing required option: '--file=FILE' (see plan --help)");
  }

  @Test
  void anEmptyFileIsOneLine() throws IOException {
    Path empty = file("empty.yaml", "# nothing here yet\n");
    Run r = run("-f", empty.toString(), "--from", "2023.2");
    assertThat(r.code()).isEqualTo(Main.ERROR);
    assertThat(r.err())
        .containsExactly(
            "error: "
                + empty
                + " is empty: expected a CinderCluster (apiVersion cinder.operator.dev/v1alpha1)");
  }

  @Test
  void invalidYamlIsOneLineWithItsPosition() throws IOException {
    Path bad = file("bad.yaml", "kind: CinderCluster\nspec:\n  release: \"2024.1\n  image: x\n");
    Run r = run("-f", bad.toString(), "--from", "2023.2");
    assertThat(r.code()).isEqualTo(Main.ERROR);
    assertThat(r.err()).hasSize(1);
    assertThat(r.err().get(0)).startsWith("error: " + bad + ", line ").contains("not valid YAML");
  }

  @Test
  void anUnknownFieldIsOneLineListingTheKnownOnes() throws IOException {
    Run r = run("-f", production("  release: ", "  relase: ").toString(), "--from", "2023.2");
    assertThat(r.code()).isEqualTo(Main.ERROR);
    assertThat(r.err()).hasSize(1);
    assertThat(r.err().get(0))
        .startsWith("error: " + dir.resolve("cc.yaml") + ": unknown field spec.relase; spec has")
        .contains("release", "image", "volumes", "backup", "upgrade");
  }

  @Test
  void anUnknownNestedFieldNamesItsPath() throws IOException {
    Run r = run("-f", production("      activeActive:", "      activeActiv:").toString());
    assertThat(r.err()).hasSize(1);
    assertThat(r.err().get(0))
        .contains("unknown field spec.volumes[1].activeActiv; spec.volumes[1] has")
        .contains("activeActive");
  }

  @Test
  void aValueOfTheWrongTypeNamesWhatIsExpected() throws IOException {
    Run r = run("-f", production("staleServices: Remove", "staleServices: Sometimes").toString());
    assertThat(r.code()).isEqualTo(Main.ERROR);
    assertThat(r.err())
        .containsExactly(
            "error: "
                + dir.resolve("cc.yaml")
                + ": spec.upgrade.staleServices: 'Sometimes' is not one of Remove, Block");
  }

  @Test
  void anotherKindIsOneLine() throws IOException {
    Path deployment =
        file(
            "deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: cinder}\nspec: {replicas: 1}\n");
    Run r = run("-f", deployment.toString(), "--from", "2023.2");
    assertThat(r.code()).isEqualTo(Main.ERROR);
    assertThat(r.err())
        .containsExactly(
            "error: "
                + deployment
                + " holds Deployment (apps/v1), not a CinderCluster (apiVersion"
                + " cinder.operator.dev/v1alpha1)");
  }

  @Test
  void aFileWithSecretsAndOneCinderClusterPlansTheCinderCluster() throws IOException {
    Path both =
        file(
            "both.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: cinder-db}\n---\n"
                + Files.readString(PRODUCTION));
    Run r = run("-f", both.toString(), "--from", "2023.2");
    assertThat(r.code()).isZero();
    assertThat(r.first()).startsWith("Rolling upgrade from 2023.2");
  }

  @Test
  void anInvalidSpecIsReportedWithTheField() throws IOException {
    Run r =
        run(
            "-f",
            production("release: \"2024.1\"", "release: \"2099.3\"").toString(),
            "--from",
            "2023.2");
    assertThat(r.code()).isEqualTo(Main.ERROR);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).hasSize(1);
    assertThat(r.err().get(0)).contains("spec.release");
  }

  @Test
  void aSeriesNewerThanTheCatalogIsPreviewedByItsName() throws IOException {
    Path later = production("release: \"2024.1\"", "release: \"2027.1\"");
    Run r = run("-f", later.toString(), "--from", "2026.2");
    assertThat(r.code()).isZero();
    assertThat(r.first()).startsWith("Rolling upgrade from 2026.2");
    assertThat(String.join("\n", r.out())).contains("SchemaMigration");
    Run skip = run("-f", later.toString(), "--from", "2026.1");
    assertThat(skip.code()).isEqualTo(Main.REFUSED);
    assertThat(skip.first()).contains("allowSkipLevel");
  }
}
