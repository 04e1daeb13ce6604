package dev.cinderoperator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.testing.MarkdownDocs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the packaged jar as the docs tell a person to: every {@code plan} command in the README and
 * docs (unless it needs a cluster) exits as its {@code # exits N} comment says and prints the lines
 * of the {@code text} block that follows it; and each kind of bad input is exactly one line.
 */
class DocumentedPlanCommandsIT {
  static final Path ROOT = MarkdownDocs.root();
  static final String JAR = "operator/target/cinder-operator.jar";
  static final Pattern EXITS = Pattern.compile("exits (\\d)");

  @TempDir Path home;

  record Result(int code, List<String> lines) {}

  /** Runs a command line with bash in the repository root, with no kubeconfig of the machine's. */
  Result sh(String command, Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(ROOT.toFile());
    pb.environment().remove("KUBECONFIG");
    pb.environment().put("HOME", home.toString());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(command).isTrue();
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).lines().toList());
  }

  @TestFactory
  List<DynamicTest> everyDocumentedPlanCommandExitsAndPrintsWhatTheDocsShow() {
    assertThat(ROOT.resolve(JAR)).as("package the operator first").exists();
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : MarkdownDocs.files(ROOT)) {
      List<MarkdownDocs.Block> blocks = MarkdownDocs.blocks(ROOT, file);
      for (int i = 0; i < blocks.size(); i++) {
        if (!blocks.get(i).lang().equals("sh")) {
          continue;
        }
        for (MarkdownDocs.Command c : MarkdownDocs.shellCommandsOf(blocks.get(i))) {
          if (!c.text().startsWith("java -jar " + JAR + " plan")
              || c.comment().contains("(needs a cluster)")) {
            continue;
          }
          MarkdownDocs.Block next = i + 1 < blocks.size() ? blocks.get(i + 1) : null;
          tests.add(DynamicTest.dynamicTest(c.where() + ": " + c.text(), () -> check(c, next)));
        }
      }
    }
    assertThat(tests).as("plan commands in the docs").hasSizeGreaterThanOrEqualTo(3);
    return tests;
  }

  private void check(MarkdownDocs.Command c, MarkdownDocs.Block sample) throws Exception {
    Matcher exits = EXITS.matcher(c.comment());
    assertThat(exits.find())
        .as(c.where() + ": say '# exits N' after the command, or '(needs a cluster)'")
        .isTrue();
    assertThat(sample)
        .as(c.where() + ": a ```text block with its output must follow the command's block")
        .isNotNull();
    assertThat(sample.lang()).as(sample.where()).isEqualTo("text");
    Result r = sh(c.text(), Map.of());
    assertThat(r.code())
        .as(c.where() + " exit code; output:\n" + String.join("\n", r.lines()))
        .isEqualTo(Integer.parseInt(exits.group(1)));
    List<String> expected = sample.lines();
    boolean more = !expected.isEmpty() && expected.get(expected.size() - 1).equals("...");
    List<String> shown = more ? expected.subList(0, expected.size() - 1) : expected;
    if (more) {
      assertThat(r.lines().size()).as(c.where()).isGreaterThan(shown.size());
      assertThat(r.lines().subList(0, shown.size())).as(sample.where()).isEqualTo(shown);
    } else {
      assertThat(r.lines()).as(sample.where()).isEqualTo(shown);
    }
  }

  // --- bad input: one line each, exit 1, through the jar (so a library log would show too) ---

  Result plan(String args, Map<String, String> env) throws Exception {
    return sh("java -jar " + JAR + " plan " + args, env);
  }

  Path write(String name, String text) throws IOException {
    return Files.writeString(home.resolve(name), text);
  }

  void assertOneLineError(Result r, String start) {
    assertThat(r.lines()).as("output").hasSize(1);
    assertThat(r.lines().get(0)).startsWith("error: " + start);
    assertThat(r.code()).isEqualTo(Main.ERROR);
  }

  @Test
  void aMissingFile() throws Exception {
    assertOneLineError(
        plan("-f no-such.yaml --from 2023.2", Map.of()), "no-such.yaml: no such file");
  }

  @Test
  void invalidYaml() throws Exception {
    Path bad = write("bad.yaml", "kind: CinderCluster\nspec: [unclosed\n");
    assertOneLineError(plan("-f " + bad + " --from 2023.2", Map.of()), bad + ", line ");
  }

  @Test
  void anEmptyFile() throws Exception {
    Path empty = write("empty.yaml", "");
    assertOneLineError(plan("-f " + empty + " --from 2023.2", Map.of()), empty + " is empty");
  }

  @Test
  void anUnknownField() throws Exception {
    Path typo =
        write(
            "typo.yaml",
            Files.readString(ROOT.resolve("docs/examples/minimal.yaml"))
                .replace("  image:", "  imgae:"));
    Result r = plan("-f " + typo + " --from 2023.1", Map.of());
    assertOneLineError(r, typo + ": unknown field spec.imgae; spec has the fields ");
    assertThat(r.lines().get(0)).contains("image");
  }

  @Test
  void anotherKind() throws Exception {
    Path deployment =
        write("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n");
    assertOneLineError(
        plan("-f " + deployment + " --from 2023.2", Map.of()),
        deployment + " holds Deployment (apps/v1), not a CinderCluster");
  }

  /** A kubeconfig whose API server refuses connections: a port nothing listens on. */
  Path unreachableKubeconfig() throws IOException {
    int port;
    try (var socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    return write(
        "kubeconfig",
        "apiVersion: v1\nkind: Config\n"
            + "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:"
            + port
            + "'}}]\n"
            + "users: [{name: u, user: {token: t}}]\n"
            + "contexts: [{name: ctx, context: {cluster: c, user: u, namespace: openstack}}]\n"
            + "current-context: ctx\n");
  }

  @Test
  void liveWithoutAReachableClusterNamesTheServerAndTheKubeconfig() throws Exception {
    Path kubeconfig = unreachableKubeconfig();
    Result r =
        plan("-f docs/examples/minimal.yaml --live", Map.of("KUBECONFIG", kubeconfig.toString()));
    assertOneLineError(r, "no Kubernetes API reachable at https://127.0.0.1:");
    assertThat(r.lines().get(0))
        .endsWith("(kubeconfig " + kubeconfig + ", context ctx): connection refused");
  }

  @Test
  void runWithoutAReachableClusterIsOneLine() throws Exception {
    Path kubeconfig = unreachableKubeconfig();
    Result r =
        sh("java -jar " + JAR + " run --http-port=0", Map.of("KUBECONFIG", kubeconfig.toString()));
    assertOneLineError(r, "no Kubernetes API reachable at https://127.0.0.1:");
  }
}
