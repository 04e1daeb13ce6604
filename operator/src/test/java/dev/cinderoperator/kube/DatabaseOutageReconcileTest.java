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
    new FakeKubelet(client, NS).completeFirstInstall("cinder", 4);
    await().until(() -> "True".equals(condition("Ready").getStatus()));
    List<String> pods = new FakeKubelet(client, NS).podIdentities();

    db.setDown(true);
    await().until(() -> "DatabaseUnavailable".equals(condition("Reconciling").getReason()));
    assertThat(condition("Reconciling").getStatus()).isEqualTo("True");
    assertThat(condition("Stalled").getStatus()).isEqualTo("False");
    assertThat(condition("Ready").getStatus()).isEqualTo("False");
    assertThat(get().getStatus().getPhase()).isEqualTo(Phase.Ready);
    assertThat(new FakeKubelet(client, NS).podIdentities()).isEqualTo(pods);

    db.setDown(false);
    await().until(() -> "True".equals(condition("Ready").getStatus()));
    assertThat(new FakeKubelet(client, NS).podIdentities()).isEqualTo(pods);
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
}
