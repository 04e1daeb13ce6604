package dev.cinderoperator.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The sample CinderClusters in docs/examples are valid against the generated schema. */
class ExamplesMatchSchemaTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static JsonNode schema() throws Exception {
    JsonNode crd = YAML.readTree(Path.of(System.getProperty("crd.generated")).toFile());
    return crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
  }

  static Stream<Path> examples() throws Exception {
    return Files.list(Path.of(System.getProperty("examples.dir")))
        .filter(p -> p.toString().endsWith(".yaml"))
        .filter(p -> !p.getFileName().toString().equals("secrets.yaml"))
        .sorted();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void exampleIsValid(Path example) throws Exception {
    JsonNode doc = YAML.readTree(example.toFile());
    assertThat(doc.path("kind").asText()).isEqualTo("CinderCluster");
    assertThat(SchemaCheck.check(schema(), doc)).as(example.toString()).isEmpty();
  }

  @Test
  void schemaRejectsWhatItShould() throws Exception {
    JsonNode bad =
        YAML.readTree(
            """
            apiVersion: cinder.operator.dev/v1alpha1
            kind: CinderCluster
            metadata: {name: x}
            spec:
              image: img
              database: {secretRef: {name: db, key: connection}}
              messaging: {secretRef: {name: mq}}
              scheduler: {replicas: -1}
              volumes: [{name: Bad_Name}]
              upgrade: {podReadyTimeout: 10 minutes, staleServices: Delete}
              typo: 1
            """);
    assertThat(SchemaCheck.check(schema(), bad))
        .contains(
            ".spec.release: required",
            ".spec.messaging.secretRef.key: required",
            ".spec.scheduler.replicas: below minimum 0.0",
            ".spec.typo: unknown field")
        .anyMatch(e -> e.startsWith(".spec.volumes[0].name: does not match"))
        .anyMatch(e -> e.startsWith(".spec.upgrade.podReadyTimeout: does not match"))
        .anyMatch(e -> e.startsWith(".spec.upgrade.staleServices: not one of"));
  }
}
