package dev.cinderoperator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.testing.FakeKubelet;
import dev.cinderoperator.testing.FakeServiceRegistry;
import dev.cinderoperator.testing.OperatorHarness;
import dev.cinderoperator.testing.Samples;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A Ready cluster whose database goes away: reported, nothing touched, back by itself. */
@EnableKubernetesMockClient(crud = true)
class DatabaseOutageReconcileTest {
  static final String NS = "openstack";
  KubernetesClient client;
  OperatorHarness operator;

  @AfterEach
  void stop() {
    operator.close();
  }

  @Test
  void outageIsReconcilingNotStalledAndRecoversWithoutTouchingPods() {
    FakeServiceRegistry db = new FakeServiceRegistry();
    operator =
        new OperatorHarness(
            client,
            OperatorSettings.defaults()
                .withPollIntervals(Duration.ofMillis(200), Duration.ofMillis(300)),
            db);
    client.resource(Samples.secret(NS, "cinder-db", "connection", Samples.DB_URL)).create();
    client
        .resource(Samples.secret(NS, "cinder-rabbitmq", "transport_url", Samples.TRANSPORT_URL))
        .create();
    client.resource(Samples.cluster("cinder", NS)).create();
    FakeKubelet kubelet = new FakeKubelet(client, NS);
    var job =
        await()
            .until(
                () -> client.batch().v1().jobs().inNamespace(NS).list().getItems(),
                j -> !j.isEmpty())
            .get(0);
    kubelet.finishJob(job.getMetadata().getName(), true, 0, "");
    await()
        .until(
            () -> client.apps().statefulSets().inNamespace(NS).list().getItems(),
            s -> s.size() == 4);
    client
        .apps()
        .statefulSets()
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(s -> kubelet.runStatefulSet(s.getMetadata().getName()));
    kubelet.runDeployment("cinder-api");
    await().until(() -> "True".equals(condition("Ready").getStatus()));
    List<String> pods = podNames();

    db.setDown(true);
    await().until(() -> "DatabaseUnavailable".equals(condition("Reconciling").getReason()));
    assertThat(condition("Reconciling").getStatus()).isEqualTo("True");
    assertThat(condition("Stalled").getStatus()).isEqualTo("False");
    assertThat(condition("Ready").getStatus()).isEqualTo("False");
    assertThat(get().getStatus().getPhase()).isEqualTo(Phase.Ready);
    assertThat(podNames()).isEqualTo(pods);

    db.setDown(false);
    await().until(() -> "True".equals(condition("Ready").getStatus()));
    assertThat(podNames()).isEqualTo(pods);
  }

  CinderCluster get() {
    return client.resources(CinderCluster.class).inNamespace(NS).withName("cinder").get();
  }

  Condition condition(String type) {
    CinderCluster cc = get();
    return cc == null || cc.getStatus() == null
        ? new Condition()
        : cc.getStatus().condition(type).orElse(new Condition());
  }

  List<String> podNames() {
    return client.pods().inNamespace(NS).list().getItems().stream()
        .map(p -> p.getMetadata().getName() + "/" + p.getMetadata().getUid())
        .sorted()
        .toList();
  }
}
