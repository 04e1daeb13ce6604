package dev.cinderoperator.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

  /** Every document of a file; an example may carry the ConfigMaps and Secrets it mounts. */
  static List<JsonNode> documents(Path file) throws Exception {
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      return it.readAll().stream().filter(d -> d != null && !d.isNull()).toList();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void exampleIsValid(Path example) throws Exception {
    List<JsonNode> clusters =
        documents(example).stream()
            .filter(d -> d.path("kind").asText().equals("CinderCluster"))
            .toList();
    assertThat(clusters).as(example + " holds a CinderCluster").isNotEmpty();
    for (JsonNode doc : clusters) {
      assertThat(SchemaCheck.check(schema(), doc)).as(example.toString()).isEmpty();
    }
  }

  @Test
  void theCephExampleMountsWhatItDefines() throws Exception {
    Path ceph = Path.of(System.getProperty("examples.dir"), "ceph-rbd.yaml");
    List<JsonNode> docs = documents(ceph);
    assertThat(docs)
        .extracting(d -> d.path("kind").asText())
        .containsExactly("ConfigMap", "Secret", "CinderCluster");
    JsonNode spec = docs.get(2).path("spec");
    for (JsonNode pods : List.of(spec.path("volumes").get(0), spec.path("backup"))) {
      assertThat(pods.path("extraVolumeMounts").get(0).path("mountPath").asText())
          .isEqualTo("/etc/ceph");
      JsonNode sources = pods.path("extraVolumes").get(0).path("projected").path("sources");
      assertThat(sources.get(0).path("configMap").path("name").asText())
          .isEqualTo(docs.get(0).path("metadata").path("name").asText());
      assertThat(sources.get(1).path("secret").path("name").asText())
          .isEqualTo(docs.get(1).path("metadata").path("name").asText());
    }
  }

  @Test
  void schemaCarriesKubernetesOwnPodTypes() throws Exception {
    JsonNode volume =
        schema().path("properties").path("spec").path("properties").path("volumes").path("items");
    JsonNode props = volume.path("properties");
    assertThat(props.has("extraVolumes")).isTrue();
    assertThat(props.path("extraVolumes").path("items").path("properties").has("projected"))
        .isTrue();
    assertThat(props.path("securityContext").path("properties").has("privileged")).isTrue();
    assertThat(props.path("affinity").path("properties").has("podAntiAffinity")).isTrue();
    JsonNode spread = props.path("topologySpreadConstraints").path("items").path("properties");
    assertThat(spread.has("maxSkew") && spread.has("topologyKey")).isTrue();
  }

  @Test
  void namesThatCannotFitAreRefusedByCelRules() throws Exception {
    JsonNode rules = schema().path("x-kubernetes-validations");
    assertThat(rules.findValuesAsText("rule"))
        .contains(
            "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
            "size(self.metadata.name) <= 42")
        .anyMatch(r -> r.contains("size(self.metadata.name) + size(v.name) <= 44"));
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
