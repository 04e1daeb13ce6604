package dev.cinderoperator.cinder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.cinder.OnlineMigrationReport.Stopped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online-data-migration loop run with this machine's Python against a stand-in for
 * cinder-manage that prints Cinder's table: it runs again only while the tool says "more to do"
 * (exit 1 with rows migrated) and reports the facts JobOutcome needs in the termination message.
 */
class OnlineMigrationLoopTest {
  @TempDir Path dir;

  @Test
  void runsAgainWhileBatchesMigrateRowsAndReportsTheTotal() throws Exception {
    Result r = loop("[ $n -le 3 ] && { table 50; exit 1; }; table 0; exit 0");
    assertThat(r.exit).as(r.out).isZero();
    assertThat(r.out).contains("batch 1", "batch 4").doesNotContain("batch 5");
    assertThat(r.report)
        .isEqualTo(new OnlineMigrationReport(4, 0, false, 150, 0, Stopped.COMPLETE));
  }

  @Test
  void aTracebackEndsTheLoopAndIsReportedAsSuch() throws Exception {
    Result r =
        loop(
            "[ $n -le 1 ] && { table 50; exit 1; }; echo 'Traceback (most recent call last):';"
                + " echo 'oslo_db.exception.DBConnectionError: (pymysql.err.OperationalError)';"
                + " exit 1");
    assertThat(r.exit).isEqualTo(1);
    assertThat(r.out).doesNotContain("batch 3");
    assertThat(r.report).isEqualTo(new OnlineMigrationReport(2, 1, true, 50, 0, Stopped.TRACEBACK));
    assertThat(r.termination).contains("DBConnectionError");
  }

  @Test
  void anExitOneThatMigratedNothingIsNotRunAgain() throws Exception {
    Result r = loop("echo 'some other failure'; exit 1");
    assertThat(r.exit).isEqualTo(1);
    assertThat(r.report)
        .isEqualTo(new OnlineMigrationReport(1, 1, false, 0, 0, Stopped.EXIT_1_WITHOUT_ROWS));
  }

  @Test
  void anyOtherExitCodeEndsTheLoopWithThatCode() throws Exception {
    Result r = loop("[ $n -le 2 ] && { table 50; exit 1; }; table 0; exit 2");
    assertThat(r.exit).isEqualTo(2);
    assertThat(r.report)
        .isEqualTo(new OnlineMigrationReport(3, 2, false, 100, 0, Stopped.EXIT_CODE));
  }

  @Test
  void theTerminationMessageStaysWithinKubernetesLimit() throws Exception {
    Result r =
        loop(
            "i=0; while [ $i -lt 400 ]; do echo \"line $i of a long log: é\"; i=$((i+1)); done; exit 0");
    assertThat(r.termination.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
    assertThat(r.termination).endsWith("line 399 of a long log: é\n");
    assertThat(r.report.stopped()).isEqualTo(Stopped.COMPLETE);
  }

  private record Result(int exit, String out, String termination, OnlineMigrationReport report) {}

  /** Runs the loop with a stand-in tool whose body sees its run number in {@code $n}. */
  private Result loop(String body) throws IOException, InterruptedException {
    Path tool = dir.resolve("cinder-manage");
    Files.writeString(
        tool,
        String.join(
            "\n",
            "#!/bin/sh",
            "n=$(cat " + dir + "/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > " + dir + "/n",
            "echo \"batch $n\"",
            "table() {",
            "  echo '+------------------------------------------+----------------+-------------+'",
            "  echo '| Migration                                |   Total Needed |   Completed |'",
            "  echo '|------------------------------------------+----------------+-------------|'",
            "  echo '| snapshot_use_quota_online_data_migration |              0 |           0 |'",
            "  printf '| volume_use_quota_online_data_migration   | %14d | %11d |\\n' $1 $1",
            "  echo '+------------------------------------------+----------------+-------------+'",
            "}",
            body,
            ""));
    assertThat(tool.toFile().setExecutable(true)).isTrue();
    Path term = dir.resolve("termination-log");
    List<String> argv =
        new ArrayList<>(
            CinderCommands.standard().onlineDataMigrationsUntilDone(50, term.toString()));
    assertThat(CinderCommands.isBatchLoop(argv)).isTrue();
    argv.set(0, "/usr/bin/python3");
    argv.set(argv.indexOf("cinder-manage"), tool.toString());
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    String termination = Files.readString(term);
    OnlineMigrationReport report =
        OnlineMigrationReport.parse(termination)
            .orElseThrow(() -> new AssertionError("no report in " + termination));
    return new Result(exit, out, termination, report);
  }
}
