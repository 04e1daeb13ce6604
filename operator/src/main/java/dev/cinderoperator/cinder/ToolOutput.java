package dev.cinderoperator.cinder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Cinder's tools printed, read as far as their exit codes need it. An uncaught Python
 * exception exits 1 too, so exit 1 means "warnings" ({@code cinder-status}) or "more to do" ({@code
 * online_data_migrations --max_count}) only when the tool got as far as printing its results: the
 * check results, or the migration table. Measured on Debian's 21.3.1: a crash prints a traceback
 * and no results; a logged traceback can accompany real results (a migration that failed while
 * another progressed), so the results, not the traceback, decide.
 *
 * <p>The text is a Job's termination message: for a failed container, the tail of its log (at most
 * 2048 bytes or 80 lines), stdout and stderr interleaved.
 */
public final class ToolOutput {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern TABLE_ROW =
      Pattern.compile("^\\|\\s*([a-z_]+)\\s*\\|\\s*(\\d+)\\s*\\|\\s*(\\d+)\\s*\\|\\s*$");
  private static final Pattern TABLE_CHECK = Pattern.compile("^\\|\\s*Check:\\s*(.*?)\\s*\\|\\s*$");
  private static final Pattern TABLE_RESULT =
      Pattern.compile("^\\|\\s*Result:\\s*(\\w+)\\s*\\|\\s*$");
  private static final Pattern TABLE_DETAILS =
      Pattern.compile("^\\|\\s*(?:Details:)?\\s*(.*?)\\s*\\|\\s*$");

  private static final Pattern FRAME =
      Pattern.compile("File \"[^\"]+\", line \\d+, in ", Pattern.MULTILINE);

  private ToolOutput() {}

  /** One check of {@code cinder-status upgrade check}: 0 success, 1 warning, 2 failure. */
  public record Check(String name, int result, String details) {
    String describe() {
      return "Check '"
          + name
          + "': "
          + (result == 2 ? "Failure" : result == 1 ? "Warning" : "Success")
          + (details == null || details.isBlank() ? "" : ": " + details);
    }
  }

  /** One row of {@code online_data_migrations}' table. */
  public record Migration(String name, int totalNeeded, int completed) {}

  /**
   * The results {@code cinder-status upgrade check} printed: its {@code --json} line, else its
   * table; empty when it printed none (it crashed before).
   */
  public static Optional<List<Check>> upgradeCheck(String output) {
    if (output == null) {
      return Optional.empty();
    }
    String[] lines = output.split("\\R");
    for (int i = lines.length - 1; i >= 0; i--) {
      String line = lines[i].strip();
      if (line.startsWith("{") && line.contains("\"checks\"")) {
        Optional<List<Check>> parsed = json(line);
        if (parsed.isPresent()) {
          return parsed;
        }
      }
    }
    return table(lines);
  }

  private static Optional<List<Check>> json(String line) {
    try {
      JsonNode checks = JSON.readTree(line).get("checks");
      if (checks == null || !checks.isArray()) {
        return Optional.empty();
      }
      List<Check> out = new ArrayList<>();
      for (JsonNode c : checks) {
        JsonNode details = c.get("details");
        out.add(
            new Check(
                c.path("check").asText(),
                c.path("result").asInt(),
                details == null || details.isNull() ? null : details.asText()));
      }
      return Optional.of(List.copyOf(out));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The human table (without {@code --json}); a check cut off by the log's tail is left out. */
  private static Optional<List<Check>> table(String[] lines) {
    List<Check> out = new ArrayList<>();
    String name = null;
    Integer result = null;
    StringBuilder details = null;
    for (String raw : lines) {
      String line = raw.strip();
      Matcher check = TABLE_CHECK.matcher(line);
      Matcher res = TABLE_RESULT.matcher(line);
      if (check.matches()) {
        add(out, name, result, details);
        name = check.group(1);
        result = null;
        details = null;
      } else if (res.matches() && name != null) {
        String r = res.group(1);
        result = r.equalsIgnoreCase("Failure") ? 2 : r.equalsIgnoreCase("Warning") ? 1 : 0;
      } else if (line.startsWith("+")) {
        add(out, name, result, details);
        name = null;
        result = null;
        details = null;
      } else if (name != null && result != null) {
        Matcher d = TABLE_DETAILS.matcher(line);
        if (d.matches() && !d.group(1).equals("None")) {
          details =
              details == null
                  ? new StringBuilder(d.group(1))
                  : details.append(' ').append(d.group(1));
        }
      }
    }
    return out.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(out));
  }

  private static void add(List<Check> out, String name, Integer result, StringBuilder details) {
    if (name != null && result != null) {
      out.add(new Check(name, result, details == null ? null : details.toString()));
    }
  }

  /** The checks with this result (1 warning, 2 failure), in Cinder's words, one per clause. */
  public static String describe(List<Check> checks, int result) {
    return String.join(
        "; ", checks.stream().filter(c -> c.result() == result).map(Check::describe).toList());
  }

  /**
   * The table {@code online_data_migrations} prints at its end; empty when it printed none (it
   * crashed before).
   */
  public static Optional<List<Migration>> migrations(String output) {
    if (output == null) {
      return Optional.empty();
    }
    List<Migration> rows = new ArrayList<>();
    boolean header = false;
    for (String raw : output.split("\\R")) {
      String line = raw.strip();
      if (line.startsWith("|") && line.contains("Total Needed") && line.contains("Completed")) {
        header = true;
        rows.clear();
        continue;
      }
      Matcher m = TABLE_ROW.matcher(line);
      if (header && m.matches()) {
        rows.add(
            new Migration(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))));
      }
    }
    return header ? Optional.of(List.copyOf(rows)) : Optional.empty();
  }

  /**
   * The last line of a Python traceback (the exception and its message), if one is there; its
   * header may be cut off the log's tail, so a frame line ({@code File "...", line N}) counts too.
   */
  public static Optional<String> exception(String output) {
    if (output == null
        || !(output.contains("Traceback (most recent call last)")
            || FRAME.matcher(output).find())) {
      return Optional.empty();
    }
    String[] lines = output.split("\\R");
    for (int i = lines.length - 1; i >= 0; i--) {
      String line = lines[i].strip();
      // oslo.log prefixes each logged line: "<date> <pid> ERROR <logger> <text>"
      line = line.replaceFirst("^\\S+ \\S+ \\d+ [A-Z]+ \\S+ (\\[[^\\]]*\\] )?", "");
      if (line.matches("[A-Za-z_][\\w.]*(Error|Exception|Exit|Interrupt|NotFound)\\b.*")) {
        return Optional.of(shorten(line));
      }
    }
    return Optional.empty();
  }

  private static String shorten(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }
}
