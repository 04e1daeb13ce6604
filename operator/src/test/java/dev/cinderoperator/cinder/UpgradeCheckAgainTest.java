package dev.cinderoperator.cinder;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upgrade-check job's retry program run with this machine's Python against a stand-in for
 * cinder-status that prints Cinder's --json line: only a lone "Service UUIDs" failure, which users'
 * creates cause for a few seconds, is checked again; anything else is the job's answer at once.
 */
class UpgradeCheckAgainTest {
  @TempDir Path dir;

  private static final String UUIDS_FAIL =
      "{\"name\": \"Upgrade Check Results\", \"checks\": [{\"check\": \"Removed Drivers\","
          + " \"result\": 0, \"details\": null}, {\"check\": \"Service UUIDs\", \"result\": 2,"
          + " \"details\": \"Services and volumes must have a service UUID.\"}]}";
  private static final String ALL_PASS =
      "{\"name\": \"Upgrade Check Results\", \"checks\": [{\"check\": \"Service UUIDs\","
          + " \"result\": 0, \"details\": null}]}";
  private static final String DRIVER_AND_UUIDS_FAIL =
      "{\"name\": \"Upgrade Check Results\", \"checks\": [{\"check\": \"Removed Drivers\","
          + " \"result\": 2, \"details\": \"Found driver\"}, {\"check\": \"Service UUIDs\","
          + " \"result\": 2, \"details\": \"must have a service UUID\"}]}";

  @Test
  void aLoneServiceUuidsFailureIsCheckedAgainUntilItPasses() throws Exception {
    Result r =
        check("[ $n -le 2 ] && { echo '" + UUIDS_FAIL + "'; exit 2; }; echo '" + ALL_PASS + "'");
    assertThat(r.exit).as(r.out).isZero();
    assertThat(r.runs).isEqualTo(3);
    assertThat(r.out).contains("checking again").contains(ALL_PASS).doesNotContain(UUIDS_FAIL);
  }

  @Test
  void aServiceUuidsFailureThatStaysIsTheAnswerAfterTheLastAttempt() throws Exception {
    Result r = check("echo '" + UUIDS_FAIL + "'; exit 2");
    assertThat(r.exit).isEqualTo(2);
    assertThat(r.runs).isEqualTo(6);
    assertThat(r.out).endsWith(UUIDS_FAIL + "\n");
  }

  @Test
  void anyOtherFailureIsTheAnswerAtOnce() throws Exception {
    Result r = check("echo '" + DRIVER_AND_UUIDS_FAIL + "'; exit 2");
    assertThat(r.exit).isEqualTo(2);
    assertThat(r.runs).isEqualTo(1);
  }

  @Test
  void warningsAndCrashesAreNotCheckedAgain() throws Exception {
    assertThat(check("echo '" + ALL_PASS + "'; exit 1").runs).isEqualTo(1);
    Result crash = check("echo 'Traceback (most recent call last):'; exit 1");
    assertThat(crash.exit).isEqualTo(1);
    assertThat(crash.runs).isEqualTo(1);
  }

  private record Result(int exit, String out, int runs) {}

  /** Runs the program with a stand-in tool whose body sees its run number in {@code $n}. */
  private Result check(String body) throws IOException, InterruptedException {
    Path tool = dir.resolve("cinder-status");
    Path count = dir.resolve("runs");
    Files.deleteIfExists(count);
    Files.writeString(
        tool,
        String.join(
            "\n", "#!/bin/sh", "echo x >> " + count, "n=$(wc -l < " + count + ")", body, ""));
    assertThat(tool.toFile().setExecutable(true)).isTrue();
    List<String> argv =
        new ArrayList<>(List.of("python3", "-c", CinderCommands.CHECK_AGAIN_PROGRAM));
    argv.add(tool.toString());
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().put("CINDER_OPERATOR_CHECK_PAUSE", "0");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    int runs = Files.exists(count) ? Files.readAllLines(count).size() : 0;
    return new Result(exit, out, runs);
  }
}
