package dev.cinderoperator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.db.ServiceRegistryPool;
import dev.cinderoperator.testing.FakeServiceRegistry;
import dev.cinderoperator.testing.Samples;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** A 409 from the API server is a retry, not a failed reconcile. */
@EnableKubernetesMockClient(crud = true)
class ConflictTest {
  KubernetesClient client;

  static KubernetesClientException conflict() {
    return new KubernetesClientException(
        "Operation cannot be fulfilled on StatefulSet \"cinder-volume-ceph-ssd\": the object has"
            + " been modified",
        409,
        null);
  }

  @Test
  void aConflictLeavesTheStatusAloneAndLetsTheNextReconcileWriteAgain() {
    CinderCluster cc = Samples.cluster("cinder", "ns");
    CinderClusterStatus ready = new CinderClusterStatus();
    ready.setPhase(Phase.Ready);
    cc.setStatus(ready);
    CinderCluster stored = client.resource(cc).create();
    var reconciler =
        new CinderClusterReconciler(
            client,
            Clock.systemUTC(),
            ReleaseCatalog.standard(),
            OperatorSettings.defaults(),
            new ClusterDriver.Collaborators(
                new ServiceRegistryPool(url -> new FakeServiceRegistry()),
                (ns, pod) -> {},
                OperatorMetrics.discarding()));

    // as JOSDK hands it over: the client's exception wrapped once more
    var control =
        reconciler.updateErrorStatus(stored, null, new RuntimeException("apply", conflict()));

    assertThat(control.getResource()).isEmpty();
    assertThat(control.isDefaultErrorProcessing()).isFalse();
    CinderCluster after = client.resource(stored).get();
    assertThat(after.getStatus().getPhase()).isEqualTo(Phase.Ready);
    assertThat(after.getStatus().getConditions()).isNullOrEmpty();
  }

  @Test
  void onlyA409IsAConflict() {
    assertThat(Conflicts.isConflict(conflict())).isTrue();
    assertThat(Conflicts.isConflict(new IllegalStateException("x", conflict()))).isTrue();
    assertThat(Conflicts.isConflict(new KubernetesClientException("gone", 404, null))).isFalse();
    assertThat(Conflicts.isConflict(new IllegalStateException("x"))).isFalse();
  }
}
