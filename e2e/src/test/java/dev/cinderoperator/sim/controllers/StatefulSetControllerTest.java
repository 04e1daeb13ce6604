package dev.cinderoperator.sim.controllers;

import static dev.cinderoperator.sim.Workloads.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.sim.MockApiServer;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.SimulatedCluster;
import dev.cinderoperator.sim.Workloads;
import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MockApiServer.class)
class StatefulSetControllerTest {
  private static final Map<String, String> LABELS = Map.of("app", "db");

  KubernetesClient client;
  private SimulatedCluster sim;

  @BeforeEach
  void start() {
    sim = SimulatedCluster.start(client, SimConfig.fast().withNamespace(NS));
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private StatefulSet sts() {
    return client.apps().statefulSets().inNamespace(NS).withName("db").get();
  }

  private void createAndWaitReady(int replicas, String strategy) {
    client
        .apps()
        .statefulSets()
        .resource(Workloads.statefulSet("db", replicas, "example/db:1", LABELS, strategy))
        .create();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                sts().getStatus() != null
                    && Integer.valueOf(replicas).equals(sts().getStatus().getReadyReplicas()));
  }

  private void setImage(String image) {
    client
        .apps()
        .statefulSets()
        .inNamespace(NS)
        .withName("db")
        .edit(
            s -> {
              s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
              return s;
            });
  }

  @Test
  void aNameTooLongForTheRevisionLabelCreatesNoPodAndSaysWhyAsARealClusterDoes() {
    // a valid StatefulSet name (a DNS label), but <name>-<10-character hash> is 66 characters:
    // longer than a label value, so the API server refuses every pod
    String name = "cinder-volume-" + "x".repeat(41);
    client
        .apps()
        .statefulSets()
        .resource(Workloads.statefulSet(name, 1, "example/db:1", LABELS, "OnDelete"))
        .create();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                client.v1().events().inNamespace(NS).list().getItems().stream()
                    .anyMatch(e -> "FailedCreate".equals(e.getReason())));
    var event =
        client.v1().events().inNamespace(NS).list().getItems().stream()
            .filter(e -> "FailedCreate".equals(e.getReason()))
            .findFirst()
            .orElseThrow();
    assertThat(event.getType()).isEqualTo("Warning");
    assertThat(event.getInvolvedObject().getName()).isEqualTo(name);
    assertThat(event.getMessage())
        .startsWith("create Pod " + name + "-0 in StatefulSet " + name + " failed error: Pod \"")
        .contains("metadata.labels: Invalid value: \"" + name + "-")
        .contains("must be no more than 63 characters");
    assertThat(Workloads.pods(client, LABELS)).isEmpty();
  }

  @Test
  void createsOrdinalPodsFromTheTemplateOwnedByTheStatefulSetAndReportsStatus() {
    createAndWaitReady(3, "OnDelete");

    List<Pod> pods = Workloads.pods(client, LABELS);
    assertThat(pods)
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("db-0", "db-1", "db-2");
    Pod pod = pods.get(0);
    String revision = sts().getStatus().getUpdateRevision();
    assertThat(revision).startsWith("db-");
    assertThat(pod.getMetadata().getLabels())
        .containsEntry("app", "db")
        .containsEntry(StatefulSetController.REVISION_LABEL, revision);
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("example.dev/note", "kept");
    assertThat(pod.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("StatefulSet");
              assertThat(o.getUid()).isEqualTo(sts().getMetadata().getUid());
              assertThat(o.getController()).isTrue();
            });
    assertThat(pod.getSpec().getHostname()).isEqualTo("db-0");
    assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getRunning()).isNotNull();
    var status = sts().getStatus();
    assertThat(status.getReplicas()).isEqualTo(3);
    assertThat(status.getCurrentReplicas()).isEqualTo(3);
    assertThat(status.getUpdatedReplicas()).isEqualTo(3);
    assertThat(status.getCurrentRevision()).isEqualTo(revision);
    assertThat(status.getObservedGeneration()).isEqualTo(sts().getMetadata().getGeneration());
  }

  @Test
  void onDeleteLeavesRunningPodsAloneAndRecreatesADeletedPodFromTheCurrentTemplate() {
    createAndWaitReady(2, "OnDelete");
    String oldRevision = sts().getStatus().getCurrentRevision();
    String oldUid = Workloads.pod(client, "db-1").getMetadata().getUid();

    setImage("example/db:2");
    await()
        .until(
            () ->
                !oldRevision.equals(sts().getStatus().getUpdateRevision())
                    && sts()
                        .getStatus()
                        .getObservedGeneration()
                        .equals(sts().getMetadata().getGeneration()));
    // nothing is replaced on its own
    await()
        .during(Duration.ofMillis(300))
        .until(
            () ->
                Workloads.pods(client, LABELS).stream()
                    .allMatch(p -> Workloads.image(p).equals("example/db:1")));
    assertThat(sts().getStatus().getUpdatedReplicas()).isZero();
    assertThat(sts().getStatus().getCurrentRevision()).isEqualTo(oldRevision);

    client.pods().inNamespace(NS).withName("db-1").delete();

    await()
        .until(
            () -> {
              Pod p = Workloads.pod(client, "db-1");
              return p != null && !p.getMetadata().getUid().equals(oldUid) && Workloads.ready(p);
            });
    assertThat(Workloads.image(Workloads.pod(client, "db-1"))).isEqualTo("example/db:2");
    assertThat(Workloads.image(Workloads.pod(client, "db-0"))).isEqualTo("example/db:1");
    assertThat(sts().getStatus().getUpdatedReplicas()).isEqualTo(1);
    // the new db-1 appeared only after the old one's process was gone
    List<PodEvent> events = sim.recorder().pod(NS, "db-1");
    int gone = indexOf(events, PodEvent.Kind.GONE, oldUid);
    int created = events.size() - 1;
    while (created >= 0
        && !(events.get(created).kind() == PodEvent.Kind.CREATED
            && !events.get(created).uid().equals(oldUid))) {
      created--;
    }
    assertThat(gone).isNotNegative().isLessThan(created);
  }

  @Test
  void rollingUpdateReplacesFromTheHighestOrdinalDownToThePartitionOneAtATime() {
    createAndWaitReady(3, "RollingUpdate");
    client
        .apps()
        .statefulSets()
        .inNamespace(NS)
        .withName("db")
        .edit(
            s -> {
              s.getSpec()
                  .getUpdateStrategy()
                  .setRollingUpdate(
                      new io.fabric8.kubernetes.api.model.apps
                              .RollingUpdateStatefulSetStrategyBuilder()
                          .withPartition(1)
                          .build());
              s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("example/db:2");
              return s;
            });

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Workloads.pods(client, LABELS).stream()
                        .filter(
                            p -> Workloads.image(p).equals("example/db:2") && Workloads.ready(p))
                        .count()
                    == 2);
    assertThat(Workloads.image(Workloads.pod(client, "db-0"))).isEqualTo("example/db:1");
    List<PodEvent> deletions =
        sim.recorder().of(PodEvent.class, e -> e.kind() == PodEvent.Kind.DELETED);
    assertThat(deletions).extracting(PodEvent::pod).containsExactly("db-2", "db-1");
    // db-1 went only after the new db-2 was Ready
    PodEvent newDb2Ready =
        sim.recorder()
            .of(
                PodEvent.class,
                e ->
                    e.pod().equals("db-2")
                        && e.kind() == PodEvent.Kind.READY
                        && e.image().equals("example/db:2"))
            .get(0);
    assertThat(deletions.get(1).at()).isAfterOrEqualTo(newDb2Ready.at());
    assertThat(sim.recorder().all().indexOf(deletions.get(1)))
        .isGreaterThan(sim.recorder().all().indexOf(newDb2Ready));
  }

  @Test
  void scalingDownRemovesTheHighestOrdinals() {
    createAndWaitReady(3, "OnDelete");
    client.apps().statefulSets().inNamespace(NS).withName("db").scale(1);

    await().until(() -> Workloads.pods(client, LABELS).size() == 1);
    assertThat(Workloads.pods(client, LABELS))
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("db-0");
    await().until(() -> sts().getStatus().getReplicas() == 1);
  }

  @Test
  void statusWipedByAPutOfTheSpecIsWrittenAgain() {
    createAndWaitReady(1, "OnDelete");
    StatefulSet s = sts();
    s.setStatus(null);
    client.apps().statefulSets().resource(s).update();

    await()
        .until(
            () ->
                sts().getStatus() != null
                    && Integer.valueOf(1).equals(sts().getStatus().getReadyReplicas()));
  }

  private static int indexOf(List<PodEvent> events, PodEvent.Kind kind, String uid) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).kind() == kind && events.get(i).uid().equals(uid)) {
        return i;
      }
    }
    return -1;
  }
}
