package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Names at the limits: a 40-character cluster with a 38-character backend (its volume StatefulSet
 * would be 86 characters, too long for its pods' controller-revision-hash label) is refused with
 * Stalled naming the field and the limit, and nothing is made for it; a 40-character cluster with a
 * short backend deploys and upgrades, its job names shortened where the contract's cannot fit 63.
 */
class NamesE2ETest extends ScenarioTest {
  static final String LONG = "cinder-production-eu-west-1-az2-block01"; // 39
  static final String CLUSTER = LONG + "x"; // 40
  static final String BACKEND = "ceph-ssd-replicated-three-way-pool-az2"; // 38

  @Test
  void aFortyCharacterClusterWithAThirtyEightCharacterBackendIsRefusedWithNothingMade() {
    assertThat(CLUSTER).hasSize(40);
    assertThat(BACKEND).hasSize(38);
    CinderCluster cc = Clusters.of(CLUSTER, NS, "2024.1", 1, 1, 1, Clusters.backend(BACKEND, 1));
    s.env.client().resource(cc).create();

    awaitStatus(
        CLUSTER,
        "Stalled BackendNameTooLong",
        st ->
            st.getPhase() == Phase.Stalled
                && st.getConditions().stream()
                    .anyMatch(
                        c ->
                            c.getType().equals("Stalled")
                                && c.getReason().equals("BackendNameTooLong")));
    String message =
        s.env.get(NS, CLUSTER).getStatus().getConditions().stream()
            .filter(c -> c.getType().equals("Stalled"))
            .findFirst()
            .orElseThrow()
            .getMessage();
    assertThat(message)
        .contains("spec.volumes[0].name")
        .contains((CLUSTER.length() + "-volume-".length() + BACKEND.length()) + " characters")
        .contains("at most 52")
        .contains("at most 4 characters");
    s.holdsFor("nothing is made for it", Duration.ofSeconds(2), () -> owned(CLUSTER).isEmpty());
  }

  @Test
  void aFortyCharacterClusterDeploysAndUpgradesWithJobNamesThatFit() {
    CinderCluster cc = Clusters.of(CLUSTER, NS, "2023.2", 1, 1, 1, Clusters.backend("ceph", 1));
    s.env.client().resource(cc).create();
    awaitStatus(
        CLUSTER, "Ready", st -> st.getPhase() == Phase.Ready && "2023.2".equals(st.getRelease()));
    edit(
        CLUSTER,
        spec -> {
          spec.setRelease("2024.1");
          spec.setImage(Clusters.REGISTRY + "2024.1");
        });
    awaitStatus(
        CLUSTER,
        "Ready on 2024.1",
        st -> st.getPhase() == Phase.Ready && "2024.1".equals(st.getRelease()));

    List<String> jobs =
        s.env.sim().recorder().jobRuns().stream()
            .filter(r -> CLUSTER.equals(r.cluster()))
            .map(r -> r.job())
            .distinct()
            .toList();
    assertThat(jobs).isNotEmpty().allSatisfy(j -> assertThat(j.length()).isLessThanOrEqualTo(63));
    // the db sync fits as the contract names it; the data migration's had to be shortened
    assertThat(jobs).anyMatch(j -> j.startsWith(CLUSTER + "-db-sync-"));
    assertThat(jobs)
        .anyMatch(
            j -> j.contains("-data-migration-") && !j.startsWith(CLUSTER + "-data-migration-"));
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  private List<String> owned(String cluster) {
    var c = s.env.client();
    List<HasMetadata> all = new ArrayList<>();
    Stream.of(
            c.secrets().inNamespace(NS).withLabel(Labels.INSTANCE, cluster).list().getItems(),
            c.apps()
                .statefulSets()
                .inNamespace(NS)
                .withLabel(Labels.INSTANCE, cluster)
                .list()
                .getItems(),
            c.apps()
                .deployments()
                .inNamespace(NS)
                .withLabel(Labels.INSTANCE, cluster)
                .list()
                .getItems(),
            c.services().inNamespace(NS).withLabel(Labels.INSTANCE, cluster).list().getItems(),
            c.batch()
                .v1()
                .jobs()
                .inNamespace(NS)
                .withLabel(Labels.INSTANCE, cluster)
                .list()
                .getItems(),
            c.pods().inNamespace(NS).withLabel(Labels.INSTANCE, cluster).list().getItems())
        .forEach(all::addAll);
    return all.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
  }

  private void awaitStatus(
      String name,
      String what,
      java.util.function.Predicate<dev.cinderoperator.api.CinderClusterStatus> done) {
    s.awaitThat(
        name + ": " + what,
        Duration.ofSeconds(60),
        () -> {
          CinderCluster cc = s.env.get(NS, name);
          return cc != null && cc.getStatus() != null && done.test(cc.getStatus());
        });
  }

  private void edit(String name, Consumer<CinderClusterSpec> change) {
    s.env.editSpec(NS, name, change);
  }
}
