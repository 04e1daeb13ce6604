package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.time.Duration;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Deleting a CinderCluster: the operator's finalizer releases what it holds for the cluster
 * (database registry and pool, metrics, cached reads, announced jobs, applied-object memory) and
 * lets the deletion finish; the owned objects go by garbage collection.
 */
class DeletionE2ETest extends ScenarioTest {

  @Test
  void deletingAClusterLeavesNoOperatorMemoryBehind() {
    CinderCluster cc = s.deploy(Clusters.small(NAME, NS, "2023.2"));
    assertThat(cc.getMetadata().getFinalizers())
        .containsExactly("cinderclusters.cinder.operator.dev/finalizer");
    s.env.rememberUid(cc);
    s.upgradeTo("2024.1");
    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    Map<String, Integer> before = s.env.operatorHeldFor(NS, NAME);
    System.out.println("held for the cluster before deletion: " + before);
    assertThat(before.values().stream().mapToInt(Integer::intValue).sum()).isPositive();
    assertThat(before).containsEntry("databaseRegistries", 1);

    s.env.client().resource(s.get()).delete();
    s.awaitThat("the CinderCluster is gone", Duration.ofSeconds(20), () -> s.get() == null);
    Map<String, Integer> after = s.env.operatorHeldFor(NS, NAME);
    System.out.println("held for the cluster after deletion: " + after);
    assertThat(after).isNotEmpty().allSatisfy((holder, n) -> assertThat(n).as(holder).isZero());
    assertThat(
            s.env.meters().getMeters().stream()
                .filter(m -> NAME.equals(m.getId().getTag("cluster")))
                .toList())
        .isEmpty();
  }

  @Test
  void deletingAClusterLeavesNoOwnedObject() {
    assumeTrue(
        apiServerCollectsGarbage(),
        "the simulated API server does not garbage-collect owned objects yet (issue 14 adds it);"
            + " this scenario runs once it does");
    s.deploy(Clusters.small(NAME, NS, "2024.1"));
    s.env.client().resource(s.get()).delete();
    s.awaitThat("the CinderCluster is gone", Duration.ofSeconds(20), () -> s.get() == null);
    var c = s.env.client();
    s.awaitThat(
        "every owned object garbage-collected",
        Duration.ofSeconds(30),
        () ->
            c.apps()
                    .statefulSets()
                    .inNamespace(NS)
                    .withLabel(Labels.INSTANCE, NAME)
                    .list()
                    .getItems()
                    .isEmpty()
                && c.apps()
                    .deployments()
                    .inNamespace(NS)
                    .withLabel(Labels.INSTANCE, NAME)
                    .list()
                    .getItems()
                    .isEmpty()
                && c.services()
                    .inNamespace(NS)
                    .withLabel(Labels.INSTANCE, NAME)
                    .list()
                    .getItems()
                    .isEmpty()
                && c.secrets()
                    .inNamespace(NS)
                    .withLabel(Labels.INSTANCE, NAME)
                    .list()
                    .getItems()
                    .isEmpty()
                && c.policy()
                    .v1()
                    .podDisruptionBudget()
                    .inNamespace(NS)
                    .withLabel(Labels.INSTANCE, NAME)
                    .list()
                    .getItems()
                    .isEmpty()
                && c.batch()
                    .v1()
                    .jobs()
                    .inNamespace(NS)
                    .withLabel(Labels.INSTANCE, NAME)
                    .list()
                    .getItems()
                    .isEmpty()
                && c.pods()
                    .inNamespace(NS)
                    .withLabel(Labels.INSTANCE, NAME)
                    .list()
                    .getItems()
                    .isEmpty());
  }

  /** Whether an object owned by a deleted ConfigMap disappears, as on a real API server. */
  private boolean apiServerCollectsGarbage() {
    var c = s.env.client();
    ConfigMap owner =
        c.configMaps()
            .inNamespace(NS)
            .resource(
                new ConfigMapBuilder().withNewMetadata().withName("gc-owner").endMetadata().build())
            .create();
    c.configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("gc-owned")
                .addNewOwnerReference()
                .withApiVersion("v1")
                .withKind("ConfigMap")
                .withName("gc-owner")
                .withUid(owner.getMetadata().getUid())
                .endOwnerReference()
                .endMetadata()
                .build())
        .create();
    c.resource(owner).delete();
    try {
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> c.configMaps().inNamespace(NS).withName("gc-owned").get() == null);
      return true;
    } catch (ConditionTimeoutException e) {
      c.configMaps().inNamespace(NS).withName("gc-owned").delete();
      return false;
    }
  }
}
