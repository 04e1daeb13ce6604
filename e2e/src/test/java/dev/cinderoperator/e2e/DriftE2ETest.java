package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Edits a person makes to what the operator owns are put back, with an Event naming the field;
 * nothing else moves and no pod is deleted by the operator for it.
 */
class DriftE2ETest extends ScenarioTest {

  @Test
  void replicasImageAndPrivilegedEditsAreEachPutBack() {
    s.deploy(Clusters.small(NAME, NS, "2024.1"));
    String image = Clusters.REGISTRY + "2024.1";
    int deletedBefore = s.deletedPods().size();

    // kubectl scale statefulset cinder-scheduler --replicas 0
    statefulSets()
        .withName(NAME + "-scheduler")
        .edit(
            st -> {
              st.getSpec().setReplicas(0);
              return st;
            });
    s.awaitThat(
        "scheduler replicas put back to 1",
        Duration.ofSeconds(20),
        () -> replicas(NAME + "-scheduler") == 1 && reverted("spec.replicas"));

    // kubectl set image statefulset/cinder-volume-ceph cinder=...:evil
    statefulSets()
        .withName(NAME + "-volume-ceph")
        .edit(
            st -> {
              st.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("evil/cinder:1");
              return st;
            });
    s.awaitThat(
        "volume image put back",
        Duration.ofSeconds(20),
        () -> image.equals(templateImage(NAME + "-volume-ceph")) && reverted(".image"));

    // privileged: true on the API pods
    deployments()
        .withName(NAME + "-api")
        .edit(
            d -> {
              var c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
              SecurityContext sc = c.getSecurityContext();
              sc.setPrivileged(true);
              sc.setAllowPrivilegeEscalation(null);
              return d;
            });
    s.awaitThat(
        "privileged removed from the API template",
        Duration.ofSeconds(20),
        () -> {
          SecurityContext sc = apiSecurityContext();
          return sc.getPrivileged() == null
              && Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())
              && reverted("securityContext.privileged");
        });
    s.awaitStatus(
        "Ready again",
        Duration.ofSeconds(30),
        st -> st.getPhase() == dev.cinderoperator.api.Phase.Ready);
    assertThat(s.events("DriftReverted")).hasSize(3);
    assertThat(s.events("DriftReverted"))
        .allSatisfy(e -> assertThat(e.getType()).isEqualTo("Warning"));
    // StatefulSets use OnDelete: reverting the image deleted no pod. The only pods gone are the
    // scheduler the scale to 0 removed and the API pods the Deployment rolled for the privileged
    // template and back.
    assertThat(
            s.deletedPods().stream()
                .skip(deletedBefore)
                .filter(p -> !p.component().equals("api"))
                .map(p -> p.pod())
                .toList())
        .containsOnly(NAME + "-scheduler-0");
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  private boolean reverted(String field) {
    return s.eventMessages("DriftReverted").stream().anyMatch(m -> m.contains(field));
  }

  private io.fabric8.kubernetes.client.dsl.MixedOperation<
          StatefulSet,
          io.fabric8.kubernetes.api.model.apps.StatefulSetList,
          io.fabric8.kubernetes.client.dsl.RollableScalableResource<StatefulSet>>
      statefulSetsAll() {
    return s.env.client().apps().statefulSets();
  }

  private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
          StatefulSet,
          io.fabric8.kubernetes.api.model.apps.StatefulSetList,
          io.fabric8.kubernetes.client.dsl.RollableScalableResource<StatefulSet>>
      statefulSets() {
    return statefulSetsAll().inNamespace(NS);
  }

  private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
          Deployment,
          io.fabric8.kubernetes.api.model.apps.DeploymentList,
          io.fabric8.kubernetes.client.dsl.RollableScalableResource<Deployment>>
      deployments() {
    return s.env.client().apps().deployments().inNamespace(NS);
  }

  private int replicas(String name) {
    return statefulSets().withName(name).get().getSpec().getReplicas();
  }

  private String templateImage(String name) {
    return statefulSets()
        .withName(name)
        .get()
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getImage();
  }

  private SecurityContext apiSecurityContext() {
    return deployments()
        .withName(NAME + "-api")
        .get()
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getSecurityContext();
  }
}
