package dev.cinderoperator.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The structure of the demo's output, without what changes from run to run: timings, counts, job
 * hashes, which step an asynchronous line happens to land under, and how often a line repeats (a
 * retried act can announce itself twice), except for the pods replaced and reporting.
 *
 * @param lines every line's shape, once
 * @param podLines how many times each replaced-pod and new-service line's shape occurs
 */
record DemoOutputShape(
    String firstLine,
    List<String> sections,
    List<String> steps,
    List<String> summary,
    java.util.Set<String> lines,
    Map<String, Integer> podLines) {

  private static final Pattern STEP = Pattern.compile("^ {3}\\[(\\w+)]\\s");
  private static final Pattern REPLACED = Pattern.compile("\\s replaced ([a-z0-9-]+):");

  static DemoOutputShape of(List<String> lines) {
    List<String> sections = new ArrayList<>();
    List<String> steps = new ArrayList<>();
    List<String> summary = new ArrayList<>();
    java.util.Set<String> shapes = new java.util.TreeSet<>();
    Map<String, Integer> podLines = new TreeMap<>();
    boolean inSummary = false;
    for (String line : lines) {
      String shape = shape(line);
      shapes.add(shape);
      if (REPLACED.matcher(line).find() || line.contains(": new service up")) {
        podLines.merge(shape, 1, Integer::sum);
      }
      if (line.startsWith("== ")) {
        sections.add(shape);
        inSummary = line.equals("== summary");
        continue;
      }
      Matcher step = STEP.matcher(line);
      if (step.find()) {
        steps.add(step.group(1));
      }
      if (inSummary) {
        summary.add(shape);
      }
    }
    return new DemoOutputShape(
        lines.isEmpty() ? "" : lines.get(0), sections, steps, summary, shapes, podLines);
  }

  /** A line with every number, job hash and progress bar replaced, and inner spaces collapsed. */
  static String shape(String line) {
    String indent = line.substring(0, line.length() - line.stripLeading().length());
    String s =
        line.strip()
            .replaceAll("\\[[#.]{20}] \\d+/\\d+", "[bar]")
            .replaceAll("\\b[0-9a-f]{8}\\b", "H")
            .replaceAll("\\d+(\\.\\d+)*", "N")
            .replaceAll(" \\(exit code N\\)", "")
            .replaceAll("\\s+", " ");
    return indent + s;
  }

  /**
   * What must hold in any run whatever the timing: each replaced pod's "new service up" comes after
   * its replacement and before the next one, and a volume-service gap comes right under its own
   * backend's pod (after that pod's report, before the next replacement).
   */
  static List<String> orderProblems(List<String> lines) {
    List<String> problems = new ArrayList<>();
    String pod = null;
    boolean reported = true;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Matcher replaced = REPLACED.matcher(line);
      if (replaced.find()) {
        if (!reported) {
          problems.add("line " + (i + 1) + ": " + pod + " replaced but its service never reported");
        }
        pod = replaced.group(1);
        reported = false;
      } else if (pod != null && line.strip().startsWith(pod) && line.contains(": new service up")) {
        reported = true;
      } else if (line.contains("was without a live service")) {
        String backend = line.replaceAll(".*backend ([a-z0-9-]+):.*", "$1");
        if (pod == null || !reported || !pod.contains("-volume-" + backend + "-")) {
          problems.add(
              "line "
                  + (i + 1)
                  + ": the gap of backend "
                  + backend
                  + " is not under the report of its own pod (last replaced: "
                  + pod
                  + ")");
        }
      } else if (line.startsWith("== summary")) {
        break;
      }
    }
    if (!reported) {
      problems.add(pod + " replaced but its service never reported");
    }
    return problems;
  }
}
