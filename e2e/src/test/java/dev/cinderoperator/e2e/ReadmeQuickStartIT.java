package dev.cinderoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.testing.MarkdownDocs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the README's quick-start demo command as a person would (the jar Maven just packaged) and
 * holds the README's sample output to it: the same steps in the same order, the same lines in shape
 * and number, the same summary; timings may differ. No ERROR and no stack trace.
 *
 * <p>The run's output is kept in {@code e2e/target/demo-output.txt}; with {@code
 * -DupdateReadme=true} this test writes it into the README's sample instead of failing.
 */
class ReadmeQuickStartIT {
  static final Path ROOT = MarkdownDocs.root();
  static final String DEMO = "java -jar e2e/target/cinder-operator-demo.jar";
  static final String SAMPLE_INTRO = "What the demo prints";

  static int code;
  static List<String> out;
  static List<String> err;

  /** The README's first quick-start command, after the build Maven has already done. */
  static String readmeCommand() {
    var commands =
        MarkdownDocs.shellCommands(ROOT).stream()
            .filter(c -> c.block().file().equals(Path.of("README.md")))
            .filter(c -> c.text().contains(DEMO))
            .toList();
    assertThat(commands).as("the README's demo command").isNotEmpty();
    String quickStart = commands.get(0).text();
    assertThat(quickStart).startsWith("./mvnw ").contains(" package ").endsWith("&& " + DEMO);
    return quickStart.substring(quickStart.indexOf("&& ") + 3);
  }

  @BeforeAll
  static void runTheDemo() throws Exception {
    assertThat(ROOT.resolve("e2e/target/cinder-operator-demo.jar")).as("packaged").exists();
    Process p = new ProcessBuilder("bash", "-c", readmeCommand()).directory(ROOT.toFile()).start();
    p.getOutputStream().close();
    CompletableFuture<String> stderr =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return read(p.getErrorStream().readAllBytes());
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    String stdout = read(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(15, TimeUnit.MINUTES)).isTrue();
    code = p.exitValue();
    out = stdout.lines().toList();
    err = stderr.get().lines().toList();
    Files.writeString(ROOT.resolve("e2e/target/demo-output.txt"), stdout);
  }

  private static String read(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void theDemoCompletesWithoutAnErrorOrAStackTrace() {
    assertThat(code).as("exit code; output:\n" + String.join("\n", out)).isZero();
    assertThat(err).as("stderr").noneMatch(l -> l.contains("ERROR"));
    for (List<String> stream : List.of(out, err)) {
      assertThat(stream)
          .as("a stack trace")
          .noneMatch(l -> l.startsWith("\tat ") || l.matches(".*\\w+(Exception|Error):.*"));
    }
    assertThat(out).contains("invariants broken during the run: 0");
  }

  @Test
  void theReadmeSampleHasTheStructureOfARealRun() throws IOException {
    List<String> sample = readmeSample();
    if (Boolean.getBoolean("updateReadme") && code == 0) {
      replaceReadmeSample(out);
      return;
    }
    DemoOutputShape run = DemoOutputShape.of(out);
    DemoOutputShape readme = DemoOutputShape.of(sample);
    String hint =
        "; the README sample is stale: copy e2e/target/demo-output.txt into it, or rerun with"
            + " -DupdateReadme=true (README: 'What the demo prints')";
    assertThat(readme.firstLine()).as("first line" + hint).isEqualTo(run.firstLine());
    assertThat(readme.sections()).as("sections" + hint).isEqualTo(run.sections());
    assertThat(readme.steps()).as("steps in order" + hint).isEqualTo(run.steps());
    assertThat(readme.summary()).as("summary" + hint).isEqualTo(run.summary());
    assertThat(readme.lines()).as("the lines' shapes" + hint).isEqualTo(run.lines());
    assertThat(readme.podLines())
        .as("pods replaced and reporting" + hint)
        .isEqualTo(run.podLines());
  }

  @Test
  void eachPodsReportAndItsBackendsGapStayUnderItsReplacement() throws IOException {
    assertThat(DemoOutputShape.orderProblems(out)).as("this run").isEmpty();
    assertThat(DemoOutputShape.orderProblems(readmeSample())).as("the README sample").isEmpty();
  }

  static MarkdownDocs.Block sampleBlock() {
    List<String> readme;
    try {
      readme = Files.readAllLines(ROOT.resolve("README.md"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    int intro = -1;
    for (int i = 0; i < readme.size(); i++) {
      if (readme.get(i).startsWith(SAMPLE_INTRO)) {
        intro = i + 1;
        break;
      }
    }
    assertThat(intro).as("README: a paragraph starting '" + SAMPLE_INTRO + "'").isPositive();
    int after = intro;
    return MarkdownDocs.blocks(ROOT, Path.of("README.md")).stream()
        .filter(b -> b.line() > after && b.lang().equals("text"))
        .findFirst()
        .orElseThrow();
  }

  static List<String> readmeSample() {
    return sampleBlock().lines();
  }

  static void replaceReadmeSample(List<String> output) throws IOException {
    MarkdownDocs.Block block = sampleBlock();
    List<String> readme = new java.util.ArrayList<>(Files.readAllLines(ROOT.resolve("README.md")));
    int first = block.line(); // the line after the fence, 0-based
    for (int i = 0; i < block.lines().size(); i++) {
      readme.remove(first);
    }
    readme.addAll(first, output);
    Files.writeString(ROOT.resolve("README.md"), String.join("\n", readme) + "\n");
  }
}
