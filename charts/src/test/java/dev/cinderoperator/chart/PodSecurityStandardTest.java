package dev.cinderoperator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator's pods, as {@code helm template} renders them, pass the restricted standard. */
class PodSecurityStandardTest {

  private static JsonNode podSpec(String values) {
    return RenderedChart.render(ChartDirectory.locate(), values, Map.of())
        .get("Deployment", "cinder-operator")
        .path("spec")
        .path("template")
        .path("spec");
  }

  @Test
  void theDefaultRenderPassesTheRestrictedPodSecurityStandard() {
    assertThat(RestrictedPodSecurity.violations(podSpec(""))).isEmpty();
  }

  @Test
  void everyToggleStillPassesIt() {
    assertThat(
            RestrictedPodSecurity.violations(
                podSpec(
                    "unpinBySignal: true\nwatchAllNamespaces: true\nleaderElection: {enabled:"
                        + " false}\nreplicaCount: 1\n")))
        .isEmpty();
  }

  @Test
  void theCheckFindsWhatTheStandardForbids() {
    ObjectNode spec = (ObjectNode) podSpec("").deepCopy();
    ObjectNode sc = (ObjectNode) spec.path("containers").get(0).path("securityContext");
    sc.put("allowPrivilegeEscalation", true);
    sc.remove("capabilities");
    spec.put("hostNetwork", true);
    spec.withArray("volumes").addObject().put("name", "host").putObject("hostPath");

    assertThat(RestrictedPodSecurity.violations(spec))
        .anyMatch(v -> v.startsWith("allowPrivilegeEscalation != false"))
        .anyMatch(v -> v.startsWith("unrestricted capabilities"))
        .anyMatch(v -> v.startsWith("host namespaces"))
        .anyMatch(v -> v.contains("restricted volume type \"hostPath\""));
  }
}
