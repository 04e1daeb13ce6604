package dev.cinderoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cinderoperator.testing.MarkdownDocs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every shell command in the README and docs/ is either run by a test or marked with what it needs
 * that a checkout does not have ({@code # (needs a cluster)}, {@code (needs root)}, ...), and the
 * README's {@code kubectl get cc} sample has the CRD's columns.
 */
class DocumentedCommandsTest {
  static final Path ROOT = MarkdownDocs.root();
  static final Pattern PLAN_RUN =
      Pattern.compile("^java -jar operator/target/cinder-operator\\.jar plan .*");

  /** Commands that tests run as written, and where. */
  static final Map<String, String> RUN_BY_A_TEST =
      Map.of(
          "./mvnw -q -pl e2e -am package -DskipTests && java -jar e2e/target/cinder-operator-demo.jar",
          "ReadmeQuickStartIT");

  /** Why a command is fine without a marker, or null when it needs one. */
  static String runBy(MarkdownDocs.Command c) {
    if (c.comment().contains("(needs ")) {
      return "marked: " + c.comment();
    }
    if (RUN_BY_A_TEST.containsKey(c.text())) {
      return RUN_BY_A_TEST.get(c.text());
    }
    if (PLAN_RUN.matcher(c.text()).matches() && c.comment().matches(".*\\bexits \\d\\b.*")) {
      return "DocumentedPlanCommandsIT";
    }
    // A build or test run on a checkout: CI runs `./mvnw -B verify` (.ci/run), which builds,
    // regenerates and checks the same modules.
    if (c.text().startsWith("./mvnw ")) {
      return ".ci/run";
    }
    return null;
  }

  @Test
  void everyDocumentedCommandIsRunByATestOrSaysWhatItNeeds() {
    List<MarkdownDocs.Command> commands = MarkdownDocs.shellCommands(ROOT);
    assertThat(commands).hasSizeGreaterThan(20);
    List<String> unmarked = new ArrayList<>();
    for (MarkdownDocs.Command c : commands) {
      if (runBy(c) == null) {
        unmarked.add(c.where() + ": " + c.text());
      }
    }
    assertThat(unmarked)
        .as(
            "commands neither run by a test nor marked '# (needs a cluster)' (or another"
                + " '(needs ...)'): mark them, or run them in a test and list them here")
        .isEmpty();
  }

  @Test
  void theTestsNamedAsRunningCommandsExistAndCiRunsTheReadmesTestCommand() throws IOException {
    for (String test : RUN_BY_A_TEST.values()) {
      assertThat(ROOT.resolve("e2e/src/test/java/dev/cinderoperator/e2e/" + test + ".java"))
          .exists();
    }
    assertThat(
            ROOT.resolve(
                "operator/src/test/java/dev/cinderoperator/cli/DocumentedPlanCommandsIT.java"))
        .exists();
    assertThat(Files.readString(ROOT.resolve(".ci/run"))).contains("./mvnw -B verify");
    assertThat(MarkdownDocs.shellCommands(ROOT))
        .extracting(MarkdownDocs.Command::text)
        .contains("./mvnw -B verify");
  }

  @Test
  void aMarkedCommandIsMarkedOnItsOwnLineNotOnlyInTheProse() {
    // The parser sees a marker only in the command's comment: a command in a block whose prose
    // says "(needs a cluster)" but whose line does not is reported above. This pins the parser.
    var c =
        MarkdownDocs.shellCommandsOf(
                new MarkdownDocs.Block(
                    Path.of("x.md"),
                    1,
                    "sh",
                    List.of(
                        "kubectl apply -f a.yaml   # (needs a cluster)",
                        "helm install x charts/x \\",
                        "  --set 'a=#b'   # (needs a cluster)",
                        "kubectl get cc")))
            .stream()
            .map(DocumentedCommandsTest::runBy)
            .toList();
    assertThat(c).hasSize(3);
    assertThat(c.get(0)).startsWith("marked");
    assertThat(c.get(1)).startsWith("marked");
    assertThat(c.get(2)).isNull();
  }

  @Test
  void theReadmesKubectlGetSampleHasTheColumnsOfTheCrdInItsOrder() throws IOException {
    JsonNode crd =
        new YAMLMapper()
            .readTree(ROOT.resolve("crds/cinderclusters.cinder.operator.dev-v1.yml").toFile());
    List<String> columns = new ArrayList<>(List.of("NAME"));
    crd.at("/spec/versions/0/additionalPrinterColumns")
        .forEach(c -> columns.add(c.path("name").asText().toUpperCase(java.util.Locale.ROOT)));
    List<String> headers =
        MarkdownDocs.blocks(ROOT, Path.of("README.md")).stream()
            .filter(b -> b.lang().equals("text") && !b.lines().isEmpty())
            .map(b -> b.lines().get(0))
            .filter(l -> l.startsWith("NAME "))
            .toList();
    assertThat(headers).as("README: a `kubectl get cc` sample").hasSize(1);
    assertThat(Arrays.asList(headers.get(0).trim().split("\\s+"))).isEqualTo(columns);
  }
}
