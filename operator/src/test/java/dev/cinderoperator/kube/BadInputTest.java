package dev.cinderoperator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UpgradeSpec;
import dev.cinderoperator.api.VolumeBackendSpec;
import dev.cinderoperator.testing.FakeKubelet;
import dev.cinderoperator.testing.OperatorHarness;
import dev.cinderoperator.testing.Samples;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad input: Stalled with a reason naming the field, an Event, nothing created. */
@EnableKubernetesMockClient(crud = true)
class BadInputTest {
  static final String NS = "openstack";
  KubernetesMockServer server;
  KubernetesClient client;
  OperatorHarness operator;

  @BeforeEach
  void start() {
    operator = new OperatorHarness(client, OperatorHarness.fastSettings());
  }

  @AfterEach
  void stop() {
    operator.close();
  }

  record Case(
      String reason,
      String field,
      String dbUrl,
      String transportUrl,
      Consumer<CinderCluster> change) {}

  static Stream<Arguments> cases() {
    String db = Samples.DB_URL;
    String mq = Samples.TRANSPORT_URL;
    return Stream.of(
        Arguments.of(
            new Case(
                "UnknownRelease", "spec.release", db, mq, cc -> cc.getSpec().setRelease("2026.3"))),
        Arguments.of(
            new Case("ImageMissing", "spec.image", db, mq, cc -> cc.getSpec().setImage(null))),
        Arguments.of(
            new Case(
                "MissingDatabaseSecret",
                "spec.database.secretRef",
                db,
                mq,
                cc -> cc.getSpec().getDatabase().getSecretRef().setName("nope"))),
        Arguments.of(
            new Case(
                "MissingDatabaseSecretKey",
                "spec.database.secretRef",
                db,
                mq,
                cc -> cc.getSpec().getDatabase().getSecretRef().setKey("url"))),
        Arguments.of(
            new Case(
                "InvalidDatabaseUrl",
                "Secret cinder-db",
                "mysql+pymysql://cinder@/",
                mq,
                cc -> {})),
        Arguments.of(
            new Case(
                "InvalidDatabaseUrl",
                "dialect 'postgresql'",
                "postgresql://cinder:s3cr3t-pw@db/cinder",
                mq,
                cc -> {})),
        Arguments.of(
            new Case("MissingMessagingSecretKey", "spec.messaging.secretRef", db, "", cc -> {})),
        Arguments.of(
            new Case(
                "DuplicateBackendName",
                "ceph-ssd",
                db,
                mq,
                cc -> cc.getSpec().getVolumes().add(new VolumeBackendSpec("ceph-ssd")))),
        Arguments.of(
            new Case(
                "ReplicasNeedActiveActive",
                "spec.volumes[0].replicas",
                db,
                mq,
                cc -> cc.getSpec().getVolumes().get(0).setReplicas(2))),
        Arguments.of(
            new Case(
                "NegativeReplicas",
                "spec.scheduler.replicas",
                db,
                mq,
                cc -> cc.getSpec().getScheduler().setReplicas(-1))),
        Arguments.of(
            new Case(
                "InvalidDuration",
                "spec.upgrade.podReadyTimeout",
                db,
                mq,
                cc -> {
                  UpgradeSpec u = new UpgradeSpec();
                  u.setPodReadyTimeout("10 minutes");
                  cc.getSpec().setUpgrade(u);
                })));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void stallsWithAClearReasonAndCreatesNothing(Case c) {
    client.resource(Samples.secret(NS, "cinder-db", "connection", c.dbUrl())).create();
    client
        .resource(Samples.secret(NS, "cinder-rabbitmq", "transport_url", c.transportUrl()))
        .create();
    CinderCluster cc = Samples.cluster("bad", NS);
    c.change().accept(cc);
    client.resource(cc).create();

    Condition stalled =
        await().until(() -> stalled("bad"), s -> s != null && "True".equals(s.getStatus()));
    assertThat(stalled.getReason()).isEqualTo(c.reason());
    assertThat(stalled.getMessage()).contains(c.field()).doesNotContain("s3cr3t");
    assertThat(get("bad").getStatus().getPhase()).isEqualTo(Phase.Stalled);
    List<Event> events = await().until(this::events, e -> !e.isEmpty());
    assertThat(events)
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo(c.reason());
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage()).doesNotContain("s3cr3t");
            });
    assertThat(client.apps().statefulSets().inNamespace(NS).list().getItems()).isEmpty();
    assertThat(client.batch().v1().jobs().inNamespace(NS).list().getItems()).isEmpty();
    assertThat(client.secrets().inNamespace(NS).withName("bad-config").get()).isNull();
  }

  @Test
  void breakingTheSpecOfARunningClusterTouchesNothingThatRuns() throws Exception {
    client.resource(Samples.secret(NS, "cinder-db", "connection", Samples.DB_URL)).create();
    client
        .resource(Samples.secret(NS, "cinder-rabbitmq", "transport_url", Samples.TRANSPORT_URL))
        .create();
    client.resource(Samples.cluster("cinder", NS)).create();
    FakeKubelet kubelet = new FakeKubelet(client, NS);
    kubelet.completeFirstInstall("cinder", 4);
    await().until(() -> get("cinder").getStatus().getPhase() == Phase.Ready);

    List<String> podsBefore = kubelet.podIdentities();
    OperatorHarness.editSpec(
        client,
        NS,
        "cinder",
        spec -> {
          spec.getVolumes().get(0).setReplicas(3); // without activeActive
          spec.getVolumes().remove(1); // would remove a backend: spec is invalid
        });

    await().until(() -> stalled("cinder"), s -> s != null && "True".equals(s.getStatus()));
    // The reconcile that wrote Stalled is the one that saw the bad spec: it acted on nothing.
    assertThat(client.apps().statefulSets().inNamespace(NS).list().getItems()).hasSize(4);
    assertThat(kubelet.podIdentities()).isEqualTo(podsBefore);
    assertThat(
            client
                .apps()
                .statefulSets()
                .inNamespace(NS)
                .withName("cinder-volume-ceph-ssd")
                .get()
                .getSpec()
                .getReplicas())
        .isEqualTo(1);
    assertThat(get("cinder").getStatus().getRelease()).isEqualTo("2023.2");
  }

  CinderCluster get(String name) {
    return client.resources(CinderCluster.class).inNamespace(NS).withName(name).get();
  }

  Condition stalled(String name) {
    CinderCluster cc = get(name);
    return cc == null || cc.getStatus() == null
        ? null
        : cc.getStatus().condition("Stalled").orElse(null);
  }

  List<Event> events() {
    return client.v1().events().inNamespace(NS).list().getItems();
  }
}
