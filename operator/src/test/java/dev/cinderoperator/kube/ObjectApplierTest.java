package dev.cinderoperator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.testing.Samples;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class ObjectApplierTest {
  KubernetesClient client;

  @Test
  void aCreateTheCacheHasNotSeenYetIsNotAnErrorTheSecondTime() {
    Job job =
        new JobBuilder()
            .withNewMetadata()
            .withName("cinder-db-sync-1234abcd")
            .withNamespace("ns")
            .endMetadata()
            .withNewSpec()
            .withNewTemplate()
            .withNewSpec()
            .addNewContainer()
            .withName("db-sync")
            .withImage("cinder:1")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    ObjectApplier applier = new ObjectApplier(client);
    var owner = Samples.cluster("cinder", "ns");
    owner.getMetadata().setUid("uid-1");

    assertThat(applier.apply(owner, job, Optional.empty())).isEqualTo(ObjectApplier.Result.CREATED);
    // the informer cache still says "absent": the second apply must not fail the reconcile
    assertThat(applier.apply(owner, job, Optional.empty()))
        .isEqualTo(ObjectApplier.Result.UNCHANGED);
    assertThat(client.batch().v1().jobs().inNamespace("ns").list().getItems()).hasSize(1);
  }
}
