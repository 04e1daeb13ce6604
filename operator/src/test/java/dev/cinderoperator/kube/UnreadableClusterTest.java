package dev.cinderoperator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.testing.OperatorHarness;
import dev.cinderoperator.testing.Samples;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A CinderCluster whose stored content does not fit the model (as under an older or newer CRD
 * version) is reported on that CR alone and never stops the operator, at start or later.
 */
@EnableKubernetesMockClient(crud = true)
class UnreadableClusterTest {
  private static final java.util.concurrent.atomic.AtomicInteger TESTS =
      new java.util.concurrent.atomic.AtomicInteger();
  // the mock server outlives a test: each test has a namespace of its own
  final String NS = "openstack-" + TESTS.incrementAndGet();
  KubernetesMockServer server;
  KubernetesClient client;
  OperatorHarness operator;

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
  }

  /** The sample cluster as raw JSON, with one field changed: what a typed client cannot send. */
  private void createRaw(String name, Consumer<Map<String, Object>> spoil) {
    GenericKubernetesResource raw =
        client
            .getKubernetesSerialization()
            .convertValue(Samples.cluster(name, NS), GenericKubernetesResource.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) raw.getAdditionalProperties().get("spec");
    spoil.accept(spec);
    raw.getAdditionalProperties().remove("status");
    clusters().resource(raw).create();
  }

  private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
          GenericKubernetesResource,
          io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
          io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>>
      clusters() {
    return client
        .genericKubernetesResources(
            io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.fromResourceType(
                CinderCluster.class))
        .inNamespace(NS);
  }

  private void secrets() {
    client.resource(Samples.secret(NS, "cinder-db", "connection", Samples.DB_URL)).create();
    client
        .resource(Samples.secret(NS, "cinder-rabbitmq", "transport_url", Samples.TRANSPORT_URL))
        .create();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> stalled(String name) {
    GenericKubernetesResource cc = clusters().withName(name).get();
    Object status = cc.getAdditionalProperties().get("status");
    if (!(status instanceof Map<?, ?> s)) {
      return null;
    }
    return ((List<Map<String, Object>>) s.get("conditions"))
        .stream()
            .filter(c -> "Stalled".equals(c.get("type")) && "True".equals(c.get("status")))
            .findFirst()
            .orElse(null);
  }

  @Test
  void anEnumValueOutsideTheSchemaStallsThatClusterAloneAndTheOthersAreReconciled() {
    secrets();
    createRaw("bad", spec -> spec.put("upgrade", Map.of("staleServices", "Sometimes")));
    operator = new OperatorHarness(client, OperatorHarness.fastSettings());
    client.resource(Samples.cluster("good", NS)).create();

    Map<String, Object> stalled = await().until(() -> stalled("bad"), s -> s != null);
    assertThat(stalled.get("reason")).isEqualTo(CinderClusterReconciler.UNREADABLE_SPEC);
    assertThat((String) stalled.get("message"))
        .startsWith("spec.upgrade.staleServices: \"Sometimes\" is not one of Remove, Block");
    // the good cluster gets on with its first install: its db sync job is created
    await()
        .until(
            () ->
                client.batch().v1().jobs().inNamespace(NS).list().getItems().stream()
                    .anyMatch(j -> j.getMetadata().getName().startsWith("good-db-sync")));
    assertThat(client.batch().v1().jobs().inNamespace(NS).list().getItems())
        .noneMatch(j -> j.getMetadata().getName().startsWith("bad-"));
    assertThat(client.v1().events().inNamespace(NS).list().getItems())
        .anyMatch(
            e ->
                CinderClusterReconciler.UNREADABLE_SPEC.equals(e.getReason())
                    && "bad".equals(e.getInvolvedObject().getName()));
  }

  @Test
  void aWrongTypeIsNamedWithItsValue() {
    secrets();
    createRaw("bad", spec -> spec.put("scheduler", Map.of("replicas", "two")));
    operator = new OperatorHarness(client, OperatorHarness.fastSettings());

    Map<String, Object> stalled = await().until(() -> stalled("bad"), s -> s != null);
    assertThat((String) stalled.get("message"))
        .startsWith("spec.scheduler.replicas: \"two\" cannot be read as an integer");
  }

  @Test
  void fixingTheFieldLetsTheClusterBeReconciled() {
    secrets();
    createRaw("bad", spec -> spec.put("upgrade", Map.of("staleServices", "Sometimes")));
    operator = new OperatorHarness(client, OperatorHarness.fastSettings());
    await().until(() -> stalled("bad"), s -> s != null);

    GenericKubernetesResource raw = clusters().withName("bad").get();
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) raw.getAdditionalProperties().get("spec");
    spec.put("upgrade", Map.of("staleServices", "Block"));
    clusters().resource(raw).update();

    await().until(() -> stalled("bad") == null);
    await()
        .until(
            () ->
                client.batch().v1().jobs().inNamespace(NS).list().getItems().stream()
                    .anyMatch(j -> j.getMetadata().getName().startsWith("bad-db-sync")));
  }

  @Test
  void anOperatorBuiltOnAStrictClientIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                UnreadableClusters.requireTolerant(
                    new io.fabric8.kubernetes.client.utils.KubernetesSerialization()))
        .hasMessageContaining("UnreadableClusters.serialization()");
  }
}
