package dev.cinderoperator.e2e.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReliabilityTableTest {
  static FaultRecord record(String seed, int failovers, int violations) {
    Map<String, Object> counted = new LinkedHashMap<>();
    counted.put("failovers", failovers);
    counted.put("violations", violations);
    return new FaultRecord(
        "leader stopped", "after the k-th write", "LeaderFailoverE2ETest", seed, counted);
  }

  @Test
  void theSeedsOfOneScenarioShareARowWithEachCountPerSeed() {
    String table = ReliabilityTable.markdown(List.of(record("4711", 6, 0), record("17", 5, 0)));

    assertThat(table.lines())
        .containsExactly(
            "| fault | injected where | scenario | seeds | counted |",
            "|---|---|---|---|---|",
            "| leader stopped | after the k-th write | `LeaderFailoverE2ETest` | 17, 4711 |"
                + " failovers 5 / 6; violations 0 / 0 |");
  }

  @Test
  void recordsWrittenByScenariosAreReadBackIntoTheTableFile(@TempDir Path dir) throws Exception {
    System.setProperty("reliability.dir", dir.resolve("reliability").toString());
    try {
      record("17", 6, 0).write();
      record("17", 7, 0).write(); // the same scenario and seed again: replaced
      Path md = ReliabilityTable.write(FaultRecord.directory());

      assertThat(Files.readString(md))
          .contains("failovers 7; violations 0")
          .doesNotContain("failovers 6");
    } finally {
      System.clearProperty("reliability.dir");
    }
  }
}
