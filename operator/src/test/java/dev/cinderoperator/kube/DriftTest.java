package dev.cinderoperator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.testing.Samples;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The applier puts back what someone else changed, and only that. */
@EnableKubernetesMockClient(crud = true)
class DriftTest {
  KubernetesClient client;

  static StatefulSet desired() {
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName("cinder-scheduler")
        .withNamespace("ns")
        .endMetadata()
        .withNewSpec()
        .withReplicas(2)
        .withNewTemplate()
        .withNewSpec()
        .addNewContainer()
        .withName("cinder")
        .withImage("cinder:1")
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .endSecurityContext()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  @Test
  void anEditedReplicaCountIsPutBackAndAnUntouchedObjectIsNotWritten() {
    ObjectApplier applier = new ObjectApplier(client);
    CinderCluster owner = Samples.cluster("cinder", "ns");
    owner.getMetadata().setUid("uid-1");
    applier.apply(owner, desired(), Optional.empty());
    StatefulSet live =
        client.apps().statefulSets().inNamespace("ns").withName("cinder-scheduler").get();
    assertThat(applier.applyAndReport(owner, desired(), Optional.of(live)).result())
        .isEqualTo(ObjectApplier.Result.UNCHANGED);

    live.getSpec().setReplicas(0);
    live.getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getSecurityContext()
        .setPrivileged(true);
    StatefulSet edited = client.resource(live).update();
    ObjectApplier.Applied reverted = applier.applyAndReport(owner, desired(), Optional.of(edited));
    assertThat(reverted.result()).isEqualTo(ObjectApplier.Result.REVERTED);
    assertThat(reverted.drift())
        .containsExactly(
            "spec.replicas", "spec.template.spec.containers[0].securityContext.privileged");
    StatefulSet back =
        client.apps().statefulSets().inNamespace("ns").withName("cinder-scheduler").get();
    assertThat(back.getSpec().getReplicas()).isEqualTo(2);
    assertThat(
            back.getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getSecurityContext()
                .getPrivileged())
        .isNull();
    assertThat(applier.applyAndReport(owner, desired(), Optional.of(back)).result())
        .isEqualTo(ObjectApplier.Result.UNCHANGED);
  }
}
