package dev.cinderoperator.cinder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.cinder.OnlineMigrationReport.Stopped;
import org.junit.jupiter.api.Test;

class OnlineMigrationReportTest {
  @Test
  void readsTheLoopsFirstLineAndNothingElse() {
    String python =
        "{\"lastExitCode\": 1, \"migrated\": 50, \"migratedLastRun\": 0, \"runs\": 2,"
            + " \"stopped\": \"traceback\", \"traceback\": true}\nTraceback (most recent call last):";
    assertThat(OnlineMigrationReport.parse(python))
        .contains(new OnlineMigrationReport(2, 1, true, 50, 0, Stopped.TRACEBACK));
    OnlineMigrationReport r = new OnlineMigrationReport(4, 0, false, 120, 0, Stopped.COMPLETE);
    assertThat(OnlineMigrationReport.parse(r.toJsonLine() + "\n+----+")).contains(r);
    assertThat(r.summary())
        .isEqualTo("4 runs, 120 rows migrated, stopped: complete, last exit code 0");
  }

  @Test
  void anythingElseIsNoReport() {
    assertThat(OnlineMigrationReport.parse(null)).isEmpty();
    assertThat(OnlineMigrationReport.parse("")).isEmpty();
    assertThat(OnlineMigrationReport.parse("online_data_migrations: 4 run(s)")).isEmpty();
    assertThat(OnlineMigrationReport.parse("{\"runs\": 1}")).isEmpty();
    assertThat(
            OnlineMigrationReport.parse(
                "{\"runs\": 1, \"lastExitCode\": null, \"stopped\": \"terminated\"}"))
        .isEmpty();
    assertThat(OnlineMigrationReport.parse("{not json")).isEmpty();
  }
}
