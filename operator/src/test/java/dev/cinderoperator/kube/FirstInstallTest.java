package dev.cinderoperator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.testing.FakeKubelet;
import dev.cinderoperator.testing.OperatorHarness;
import dev.cinderoperator.testing.Samples;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class FirstInstallTest {
  static final String NS = "openstack";
  KubernetesMockServer server;
  KubernetesClient client;
  OperatorHarness operator;
  FakeKubelet kubelet;

  @BeforeEach
  void start() {
    client.resource(Samples.secret(NS, "cinder-db", "connection", Samples.DB_URL)).create();
    client
        .resource(Samples.secret(NS, "cinder-rabbitmq", "transport_url", Samples.TRANSPORT_URL))
        .create();
    operator = new OperatorHarness(client, OperatorHarness.fastSettings());
    kubelet = new FakeKubelet(client, NS);
  }

  @AfterEach
  void stop() {
    operator.close();
  }

  CinderCluster get(String name) {
    return client.resources(CinderCluster.class).inNamespace(NS).withName(name).get();
  }

  Optional<Condition> condition(String name, String type) {
    CinderCluster cc = get(name);
    return cc == null || cc.getStatus() == null ? Optional.empty() : cc.getStatus().condition(type);
  }

  @Test
  void runsDbSyncFirstThenDeploysEveryServiceAndBecomesReady() throws Exception {
    client.resource(Samples.cluster("cinder", NS)).create();

    // db sync first: no workload exists while it runs.
    Job dbSync =
        await()
            .until(
                () -> client.batch().v1().jobs().inNamespace(NS).list().getItems(),
                jobs -> !jobs.isEmpty())
            .get(0);
    assertThat(dbSync.getMetadata().getName()).startsWith("cinder-db-sync-");
    assertThat(dbSync.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand())
        .containsSequence("db", "sync")
        .doesNotContain("--bump-versions");
    await()
        .until(
            () ->
                get("cinder").getStatus() != null && get("cinder").getStatus().getPhase() != null);
    assertThat(get("cinder").getStatus().getPhase()).isEqualTo(Phase.Deploying);
    assertThat(client.apps().statefulSets().inNamespace(NS).list().getItems()).isEmpty();

    kubelet.finishJob(dbSync.getMetadata().getName(), true, 0, "");

    await()
        .until(
            () -> client.apps().statefulSets().inNamespace(NS).list().getItems(),
            s -> s.size() == 4);
    List<String> sets =
        client.apps().statefulSets().inNamespace(NS).list().getItems().stream()
            .map(s -> s.getMetadata().getName())
            .toList();
    assertThat(sets)
        .containsExactlyInAnyOrder(
            "cinder-scheduler",
            "cinder-volume-ceph-ssd",
            "cinder-volume-ceph-hdd",
            "cinder-backup");
    StatefulSet volume =
        client.apps().statefulSets().inNamespace(NS).withName("cinder-volume-ceph-ssd").get();
    assertThat(volume.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
    assertThat(volume.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/component", "volume")
        .containsEntry("cinder.operator.dev/backend", "ceph-ssd")
        .containsEntry("app.kubernetes.io/managed-by", "cinder-operator");
    // Applied one after the other (StatefulSets, Deployment, Service, PDBs): waited for in turn.
    await()
        .until(
            () -> client.apps().deployments().inNamespace(NS).withName("cinder-api").get() != null);
    await().until(() -> client.services().inNamespace(NS).withName("cinder-api").get() != null);
    await()
        .until(
            () -> client.policy().v1().podDisruptionBudget().inNamespace(NS).list().getItems(),
            pdbs -> pdbs.size() == 5);

    // The config Secret carries the secrets; nothing else does.
    var config = client.secrets().inNamespace(NS).withName("cinder-config").get();
    String common =
        new String(java.util.Base64.getDecoder().decode(config.getData().get("cinder.conf")));
    assertThat(common).contains("connection = " + Samples.DB_URL);
    String aa =
        new String(
            java.util.Base64.getDecoder().decode(config.getData().get("volume-ceph-hdd.conf")));
    assertThat(aa).contains("cluster = cinder-ceph-hdd").contains("enabled_backends = ceph-hdd");

    for (String s : sets) {
      kubelet.runStatefulSet(s);
    }
    kubelet.runDeployment("cinder-api");

    await().until(() -> get("cinder").getStatus().getPhase() == Phase.Ready);
    CinderCluster ready = get("cinder");
    assertThat(ready.getStatus().getRelease()).isEqualTo("2023.2");
    assertThat(ready.getStatus().getImage()).isEqualTo(Samples.IMAGE_2023_2);
    assertThat(condition("cinder", "Ready"))
        .get()
        .extracting(Condition::getStatus)
        .isEqualTo("True");
    assertThat(condition("cinder", "Stalled"))
        .get()
        .extracting(Condition::getStatus)
        .isEqualTo("False");
    assertThat(ready.getStatus().getConditions())
        .allSatisfy(
            c ->
                assertThat(c.getObservedGeneration())
                    .isEqualTo(ready.getMetadata().getGeneration()));
    await() // Events are written in the background
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(NS).list().getItems())
                    .extracting(e -> e.getReason())
                    .contains("JobStarted", "Created", "Deployed"));
    assertThat(client.v1().events().inNamespace(NS).list().getItems())
        .allSatisfy(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
  }

  @Test
  void aReconcileWithNothingChangedWritesNothing() throws Exception {
    client.resource(Samples.cluster("cinder", NS)).create();
    kubelet.completeFirstInstall("cinder", 4);
    await().until(() -> get("cinder").getStatus().getPhase() == Phase.Ready);

    // Let any write in flight land, then watch several periodic reconciles.
    int start = operator.reconciles();
    await().until(() -> operator.reconciles() >= start + 2);
    OperatorHarness.drainWrites(server);
    int from = operator.reconciles();
    await().atMost(Duration.ofSeconds(10)).until(() -> operator.reconciles() >= from + 5);
    assertThat(OperatorHarness.drainWrites(server)).isZero();
  }

  @Test
  void removingABackendRemovesItsStatefulSet() {
    client.resource(Samples.cluster("cinder", NS)).create();
    kubelet.completeFirstInstall("cinder", 4);

    OperatorHarness.editSpec(
        client,
        NS,
        "cinder",
        spec -> {
          spec.getVolumes().removeIf(v -> v.getName().equals("ceph-hdd"));
          spec.getScheduler().setReplicas(3);
        });

    // The mock server keeps a deleted object marked for deletion; a real one removes it.
    await()
        .until(
            () -> {
              var s =
                  client
                      .apps()
                      .statefulSets()
                      .inNamespace(NS)
                      .withName("cinder-volume-ceph-hdd")
                      .get();
              return s == null || s.getMetadata().getDeletionTimestamp() != null;
            });
    await()
        .until(
            () ->
                client
                    .apps()
                    .statefulSets()
                    .inNamespace(NS)
                    .withName("cinder-scheduler")
                    .get()
                    .getSpec()
                    .getReplicas(),
            r -> r == 3);
    assertThat(
            client.apps().statefulSets().inNamespace(NS).withName("cinder-volume-ceph-ssd").get())
        .isNotNull();
  }
}
