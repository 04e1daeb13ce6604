package dev.cinderoperator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** docs/install.md: the output of {@code helm template} can be applied as plain manifests. */
class PlainManifestsTest {

  private static final Set<String> CLUSTER_SCOPED = Set.of("ClusterRole", "ClusterRoleBinding");

  @Test
  void namespacedObjectsNameTheReleaseNamespace() {
    RenderedChart chart = RenderedChart.render(Map.of());

    for (JsonNode object : chart.objects()) {
      String kind = object.path("kind").asText();
      String namespace = object.at("/metadata/namespace").asText();
      if (CLUSTER_SCOPED.contains(kind)) {
        assertThat(namespace).as("%s is cluster-scoped", kind).isEmpty();
      } else {
        assertThat(namespace)
            .as(
                "%s %s is namespaced, so kubectl apply needs it set",
                kind, object.at("/metadata/name"))
            .isEqualTo(RenderedChart.RELEASE_NAMESPACE);
      }
    }
  }

  @Test
  void everyObjectCarriesTheChartsLabels() {
    for (JsonNode object : RenderedChart.render(Map.of()).objects()) {
      assertThat(object.at("/metadata/labels/app.kubernetes.io~1instance").asText())
          .as("%s %s", object.path("kind"), object.at("/metadata/name"))
          .isEqualTo(RenderedChart.RELEASE_NAME);
    }
  }
}
