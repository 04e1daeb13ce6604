package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Deleting a CinderCluster: the operator's finalizer releases what it holds for the cluster
 * (database registry and pool, metrics, cached reads, announced jobs, applied-object memory) and
 * lets the deletion finish; the owned objects go by the simulated API server's garbage collection
 * (background propagation, as a real one does), and nothing the user made is taken with them.
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
  void deletingAClusterLeavesNoOwnedObjectAndKeepsTheUsersSecrets() {
    CinderCluster cc = s.deploy(Clusters.small(NAME, NS, "2024.1"));
    String uid = cc.getMetadata().getUid();
    Map<String, HasMetadata> owned = ownedBy(uid);
    System.out.println("owned before deletion: " + owned.keySet());
    // every kind the operator makes, and the pods its workloads make in turn
    assertThat(owned.values().stream().map(HasMetadata::getKind).distinct())
        .contains("Secret", "StatefulSet", "Deployment", "Service", "PodDisruptionBudget", "Pod");

    s.env.client().resource(s.get()).delete();
    s.awaitThat("the CinderCluster is gone", Duration.ofSeconds(20), () -> s.get() == null);
    s.awaitThat(
        "every object it owned, directly or through its workloads, garbage-collected",
        Duration.ofSeconds(30),
        () -> owned.keySet().stream().noneMatch(this::stillThere));
    assertThat(ownedBy(uid)).isEmpty();
    assertThat(labelled(NAME)).isEmpty();
    // the Secrets the user made and the cluster only referenced are not the cluster's to take
    assertThat(s.env.client().secrets().inNamespace(NS).withName("cinder-db").get()).isNotNull();
    assertThat(s.env.client().secrets().inNamespace(NS).withName("cinder-rabbitmq").get())
        .isNotNull();
  }

  /** Everything in the namespace whose owner references lead to {@code rootUid}, by kind/name. */
  private Map<String, HasMetadata> ownedBy(String rootUid) {
    List<HasMetadata> all = everything();
    Set<String> owners = new HashSet<>(Set.of(rootUid));
    Map<String, HasMetadata> owned = new TreeMap<>();
    for (boolean grew = true; grew; ) {
      grew = false;
      for (HasMetadata o : all) {
        boolean ownedHere =
            o.getMetadata().getOwnerReferences().stream()
                .anyMatch(r -> owners.contains(r.getUid()));
        if (ownedHere && owners.add(o.getMetadata().getUid())) {
          owned.put(key(o), o);
          grew = true;
        }
      }
    }
    return owned;
  }

  private List<HasMetadata> labelled(String cluster) {
    return everything().stream()
        .filter(o -> cluster.equals(o.getMetadata().getLabels().get(Labels.INSTANCE)))
        .toList();
  }

  private boolean stillThere(String key) {
    return everything().stream().anyMatch(o -> key(o).equals(key));
  }

  /** Every object of the kinds the operator or the simulated controllers make. */
  private List<HasMetadata> everything() {
    var c = s.env.client();
    List<HasMetadata> all = new ArrayList<>();
    all.addAll(c.secrets().inNamespace(NS).list().getItems());
    all.addAll(c.configMaps().inNamespace(NS).list().getItems());
    all.addAll(c.services().inNamespace(NS).list().getItems());
    all.addAll(c.apps().statefulSets().inNamespace(NS).list().getItems());
    all.addAll(c.apps().deployments().inNamespace(NS).list().getItems());
    all.addAll(c.policy().v1().podDisruptionBudget().inNamespace(NS).list().getItems());
    all.addAll(c.batch().v1().jobs().inNamespace(NS).list().getItems());
    all.addAll(c.pods().inNamespace(NS).list().getItems());
    return all;
  }

  private static String key(HasMetadata o) {
    return o.getKind() + "/" + o.getMetadata().getName();
  }
}
