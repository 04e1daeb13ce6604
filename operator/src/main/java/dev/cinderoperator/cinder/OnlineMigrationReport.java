package dev.cinderoperator.cinder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * What the online-data-migration loop ({@link CinderCommands#onlineDataMigrationsUntilDone}) did,
 * from the first line of its termination message: facts only, for {@link JobOutcome} to judge.
 *
 * @param runs runs of {@code cinder-manage db online_data_migrations --max_count N}
 * @param lastExitCode the last run's exit code (the container's own)
 * @param traceback the last run printed a Python traceback (a crash; it also exits 1)
 * @param migrated rows migrated over all runs, from the tool's table
 * @param migratedLastRun rows the last run migrated
 * @param stopped why the loop stopped
 */
public record OnlineMigrationReport(
    int runs,
    int lastExitCode,
    boolean traceback,
    long migrated,
    long migratedLastRun,
    Stopped stopped) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Why the loop stopped. */
  public enum Stopped {
    /** Exit 0: nothing left to migrate. */
    COMPLETE("complete"),
    /** An exit code other than 0 and 1 (2: migrations failed; 127: bad --max_count). */
    EXIT_CODE("exit-code"),
    /** The output had a Python traceback. */
    TRACEBACK("traceback"),
    /** Exit 1 with no row migrated: not the tool's "more to do", so not run again. */
    EXIT_1_WITHOUT_ROWS("exit-1-without-rows"),
    /** SIGTERM (the pod was deleted). */
    TERMINATED("terminated");

    private final String word;

    Stopped(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }

    static Optional<Stopped> of(String word) {
      for (Stopped s : values()) {
        if (s.word.equals(word)) {
          return Optional.of(s);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * The report in a termination message, or empty when its first line is not one (an older
   * operator's Job, a container that never started, a message Kubernetes made from the log).
   */
  public static Optional<OnlineMigrationReport> parse(String terminationMessage) {
    if (terminationMessage == null || !terminationMessage.startsWith("{")) {
      return Optional.empty();
    }
    int end = terminationMessage.indexOf('\n');
    String line = end < 0 ? terminationMessage : terminationMessage.substring(0, end);
    try {
      JsonNode n = JSON.readTree(line);
      Optional<Stopped> stopped = Stopped.of(n.path("stopped").asText(""));
      if (!n.path("runs").isInt() || !n.path("lastExitCode").isInt() || stopped.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(
          new OnlineMigrationReport(
              n.path("runs").asInt(),
              n.path("lastExitCode").asInt(),
              n.path("traceback").asBoolean(false),
              n.path("migrated").asLong(0),
              n.path("migratedLastRun").asLong(0),
              stopped.get()));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  /** The line the loop writes (the simulated Cinder writes it too). */
  public String toJsonLine() {
    ObjectNode n = JSON.createObjectNode();
    n.put("lastExitCode", lastExitCode);
    n.put("migrated", migrated);
    n.put("migratedLastRun", migratedLastRun);
    n.put("runs", runs);
    n.put("stopped", stopped.word());
    n.put("traceback", traceback);
    return n.toString();
  }

  /**
   * One phrase for an Event, e.g. "4 runs, 120 rows migrated, stopped: complete, last exit code 0".
   */
  public String summary() {
    return runs
        + (runs == 1 ? " run" : " runs")
        + ", "
        + migrated
        + " rows migrated, stopped: "
        + stopped.word()
        + (traceback ? " (a Python traceback)" : "")
        + ", last exit code "
        + lastExitCode;
  }
}
