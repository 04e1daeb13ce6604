package dev.cinderoperator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Flux example in docs/gitops names the CinderCluster kind the chart's CRD defines. */
class GitOpsExamplesTest {

  @Test
  void fluxHealthCheckNamesTheCinderClusterKind() throws IOException {
    JsonNode kustomization =
        new YAMLMapper()
            .readTree(
                Path.of(System.getProperty("docs.dir"), "gitops", "flux-kustomization.yaml")
                    .toFile());
    JsonNode crd = new YAMLMapper().readTree(Path.of(System.getProperty("crd.chart")).toFile());

    JsonNode check = kustomization.at("/spec/healthChecks/0");
    String apiVersion =
        crd.at("/spec/group").asText() + "/" + crd.at("/spec/versions/0/name").asText();
    assertThat(check.path("apiVersion").asText()).isEqualTo(apiVersion);
    assertThat(check.path("kind").asText()).isEqualTo(crd.at("/spec/names/kind").asText());
    assertThat(kustomization.path("kind").asText()).isEqualTo("Kustomization");
  }
}
