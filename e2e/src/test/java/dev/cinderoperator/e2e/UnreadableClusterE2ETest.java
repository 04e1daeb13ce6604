package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.kube.CinderClusterReconciler;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A CinderCluster whose stored spec does not fit the model (as one stored under another CRD
 * version, or before the schema tightened) next to a Ready cluster and an upgrading one: it is
 * reported on itself alone, the others finish, and a restarted operator starts with it present and
 * manages them.
 */
class UnreadableClusterE2ETest extends ScenarioTest {
  static final String READY = "steady";
  static final String BROKEN = "broken";

  @Test
  void aClusterThatCannotBeReadStallsAloneAndTheOthersFinishThroughARestart() {
    s.deploy(Clusters.small(NAME, NS, "2023.2"));
    s.env.client().resource(Clusters.small(READY, NS, "2023.2")).create();
    awaitReady(READY, "2023.2");
    createBroken();

    s.upgradeTo("2024.1");
    awaitStalledUnreadable();
    s.awaitStatus(
        "upgrading",
        Duration.ofSeconds(30),
        st -> st.getUpgrade() != null && st.getPhase() == Phase.Upgrading);

    // an operator restart with the bad CR present: it starts and goes on with the others
    s.env.stopOperator();
    s.env.startOperator();

    s.awaitReleased("2024.1", Duration.ofSeconds(90));
    awaitReady(READY, "2023.2");
    s.env.editSpec(
        NS,
        READY,
        spec -> {
          spec.setRelease("2024.1");
          spec.setImage(Clusters.REGISTRY + "2024.1");
        });
    awaitReady(READY, "2024.1");

    assertThat(stalledCondition().get("message").toString())
        .startsWith("spec.upgrade.staleServices: \"Sometimes\" is not one of Remove, Block");
    assertThat(
            s.env
                .client()
                .pods()
                .inNamespace(NS)
                .withLabel("app.kubernetes.io/instance", BROKEN)
                .list()
                .getItems())
        .as("nothing is created for a cluster that cannot be read")
        .isEmpty();
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  private void createBroken() {
    GenericKubernetesResource raw =
        s.env
            .client()
            .getKubernetesSerialization()
            .convertValue(Clusters.small(BROKEN, NS, "2023.2"), GenericKubernetesResource.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) raw.getAdditionalProperties().get("spec");
    spec.put("upgrade", Map.of("staleServices", "Sometimes"));
    raw.getAdditionalProperties().remove("status");
    clusters().resource(raw).create();
  }

  private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
          GenericKubernetesResource,
          io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
          io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>>
      clusters() {
    return s.env
        .client()
        .genericKubernetesResources(ResourceDefinitionContext.fromResourceType(CinderCluster.class))
        .inNamespace(NS);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> stalledCondition() {
    Object status = clusters().withName(BROKEN).get().getAdditionalProperties().get("status");
    if (!(status instanceof Map<?, ?> st) || !(st.get("conditions") instanceof List<?> list)) {
      return null;
    }
    return list.stream()
        .map(c -> (Map<String, Object>) c)
        .filter(
            c ->
                "Stalled".equals(c.get("type"))
                    && "True".equals(c.get("status"))
                    && CinderClusterReconciler.UNREADABLE_SPEC.equals(c.get("reason")))
        .findFirst()
        .orElse(null);
  }

  private void awaitStalledUnreadable() {
    s.awaitThat(
        BROKEN + " Stalled=True UnreadableSpec",
        Duration.ofSeconds(30),
        () -> stalledCondition() != null);
  }

  private void awaitReady(String name, String release) {
    s.awaitThat(
        name + " Ready on " + release,
        Duration.ofSeconds(90),
        () -> {
          CinderCluster cc = s.env.get(NS, name);
          return cc != null
              && cc.getStatus() != null
              && release.equals(cc.getStatus().getRelease())
              && cc.getStatus().getPhase() == Phase.Ready;
        });
  }
}
