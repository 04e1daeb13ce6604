package dev.cinderoperator.sim.cinder;

import static dev.cinderoperator.sim.Workloads.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.sim.MockApiServer;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.SimulatedCluster;
import dev.cinderoperator.sim.Workloads;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MockApiServer.class)
class SimulatedCinderRuntimeTest {
  private static final String CLUSTER = "cinder";

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

  private void statefulSet(String name, int replicas, String image, Map<String, String> labels) {
    client
        .apps()
        .statefulSets()
        .resource(Workloads.statefulSet(name, replicas, image, labels, "OnDelete"))
        .create();
  }

  private List<ServiceRow> rows() {
    return sim.servicesTable(NS, CLUSTER).peek();
  }

  private Optional<ServiceRow> row(String binary, String host) {
    return rows().stream()
        .filter(r -> r.binary().equals(binary) && r.host().equals(host))
        .findFirst();
  }

  @Test
  void aRunningSchedulerWritesAndHeartbeatsItsRowAndStopsWhenItsPodGoes() {
    statefulSet(
        "cinder-scheduler",
        2,
        "registry.example/cinder:zed",
        Labels.of(CLUSTER, Component.SCHEDULER));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                row("cinder-scheduler", "cinder-scheduler-1")
                    .map(r -> r.reportCount() >= 2)
                    .orElse(false));
    ServiceRow row = row("cinder-scheduler", "cinder-scheduler-0").orElseThrow();
    assertThat(row.rpcVersion()).isEqualTo("3.12");
    assertThat(row.objectVersion()).isEqualTo("1.39");
    assertThat(row.clusterName()).isNull();

    client.apps().statefulSets().inNamespace(NS).withName("cinder-scheduler").scale(1);
    await().until(() -> Workloads.pod(client, "cinder-scheduler-1") == null);
    Instant last = row("cinder-scheduler", "cinder-scheduler-1").orElseThrow().lastSeen();
    int before = row("cinder-scheduler", "cinder-scheduler-0").orElseThrow().reportCount();
    // the survivor keeps reporting while the stopped one's row stays where it was
    await()
        .until(
            () ->
                row("cinder-scheduler", "cinder-scheduler-0").orElseThrow().reportCount()
                    >= before + 3);
    assertThat(row("cinder-scheduler", "cinder-scheduler-1").orElseThrow().lastSeen())
        .isEqualTo(last);
  }

  @Test
  void aServiceWhoseDriverFailsWritesItsRowAtStartButNeverHeartbeats() {
    sim.cinder().failDriverInit(p -> p.getMetadata().getName().equals("cinder-scheduler-0"));
    statefulSet(
        "cinder-scheduler",
        2,
        "registry.example/cinder:zed",
        Labels.of(CLUSTER, Component.SCHEDULER));

    // the working one heartbeats; the other wrote its versions and updated_at, count 0
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                row("cinder-scheduler", "cinder-scheduler-1")
                    .map(r -> r.reportCount() >= 3)
                    .orElse(false));
    ServiceRow dead = row("cinder-scheduler", "cinder-scheduler-0").orElseThrow();
    assertThat(dead.rpcVersion()).isEqualTo("3.12");
    assertThat(dead.updatedAt()).isNotNull();
    assertThat(dead.reportCount()).isZero();
    assertThat(sim.cinder().process(NS, "cinder-scheduler-0").orElseThrow().log())
        .anyMatch(l -> l.contains("is reporting problems, not sending heartbeat"));
  }

  @Test
  void signalsGoThroughExecAndAMinimalImageHasNoProcpsKill() {
    statefulSet(
        "cinder-scheduler",
        1,
        "registry.example/cinder:zed",
        Labels.of(CLUSTER, Component.SCHEDULER));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Workloads.ready(Workloads.pod(client, "cinder-scheduler-0")));

    assertThat(sim.kubelet().exec(NS, "cinder-scheduler-0", List.of("kill", "-HUP", "1")))
        .satisfies(
            r -> {
              assertThat(r.exitCode()).isEqualTo(127);
              assertThat(r.output()).contains("executable file not found");
            });
    assertThat(
            sim.kubelet()
                .exec(
                    NS,
                    "cinder-scheduler-0",
                    List.of("python3", "-c", "import os, signal; os.kill(1, signal.SIGHUP)"))
                .exitCode())
        .isZero();
    sim.podSignaller().sighup(NS, "cinder-scheduler-0");
    CinderProcess p = sim.cinder().process(NS, "cinder-scheduler-0").orElseThrow();
    assertThat(p.sighups()).isEqualTo(2);
    assertThat(sim.recorder().signals())
        .extracting(e -> e.pod() + " " + e.delivered())
        .containsExactly(
            "cinder-scheduler-0 false", "cinder-scheduler-0 true", "cinder-scheduler-0 true");
  }

  @Test
  void aNewVolumeServicePinsToTheOldRowsBeforeWritingItsOwnAndSighupRecomputes() {
    client
        .secrets()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("cinder-config")
                .withNamespace(NS)
                .endMetadata()
                .withStringData(Map.of("cinder.conf", "[DEFAULT]\ncluster = cinder-ceph\n"))
                .build())
        .create();
    ServiceRow old =
        sim.servicesTable(NS, CLUSTER)
            .insert(
                new ServiceRow(
                    0,
                    "cinder-volume",
                    "old-host@ceph",
                    null,
                    "3.18",
                    "1.39",
                    false,
                    Instant.now(),
                    Instant.now(),
                    5,
                    null));
    statefulSet(
        "cinder-volume-ceph",
        1,
        "registry.example/cinder:2024.1",
        Labels.ofVolume(CLUSTER, "ceph"));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Workloads.ready(Workloads.pod(client, "cinder-volume-ceph-0")));
    ServiceRow own = row("cinder-volume", "cinder-volume-ceph-0@ceph").orElseThrow();
    assertThat(own.rpcVersion()).isEqualTo("3.19");
    assertThat(own.clusterName()).isEqualTo("cinder-ceph@ceph");
    CinderProcess process = sim.cinder().process(NS, "cinder-volume-ceph-0").orElseThrow();
    assertThat(process.pins().get(CinderBinary.VOLUME)).isEqualTo(new CachedPin("3.18", "1.39"));

    sim.serviceRegistry(NS, CLUSTER).remove(old);
    sim.podSignaller().sighup(NS, "cinder-volume-ceph-0");

    assertThat(process.pins().get(CinderBinary.VOLUME)).isEqualTo(new CachedPin("3.19", "1.39"));
    assertThat(process.sighups()).isEqualTo(1);
    assertThat(process.log()).contains("Resetting cached RPC version pins.");
    assertThat(sim.recorder().signals())
        .singleElement()
        .satisfies(s -> assertThat(s.cluster()).isEqualTo(CLUSTER));
  }

  @Test
  void aBrokenImageRunsButNeverGetsReady() {
    statefulSet(
        "cinder-scheduler",
        1,
        "registry.example/cinder:broken",
        Labels.of(CLUSTER, Component.SCHEDULER));
    statefulSet(
        "cinder-backup", 1, "registry.example/cinder:2024.1", Labels.of(CLUSTER, Component.BACKUP));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Workloads.ready(Workloads.pod(client, "cinder-backup-0")));
    Pod broken = Workloads.pod(client, "cinder-scheduler-0");
    assertThat(broken.getStatus().getContainerStatuses().get(0).getState().getRunning())
        .isNotNull();
    assertThat(Workloads.ready(broken)).isFalse();
    assertThat(row("cinder-scheduler", "cinder-scheduler-0")).isEmpty();
  }

  @Test
  void aVersionlessRowMakesNewServicesCrashAtStart() {
    sim.servicesTable(NS, CLUSTER)
        .insert(
            new ServiceRow(
                0,
                "cinder-backup",
                "ancient",
                null,
                null,
                null,
                false,
                Instant.now(),
                null,
                0,
                null));
    statefulSet(
        "cinder-scheduler",
        1,
        "registry.example/cinder:2024.1",
        Labels.of(CLUSTER, Component.SCHEDULER));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              Pod p = Workloads.pod(client, "cinder-scheduler-0");
              return p != null
                  && p.getStatus() != null
                  && !p.getStatus().getContainerStatuses().isEmpty()
                  && p.getStatus().getContainerStatuses().get(0).getRestartCount() >= 1;
            });
    var last =
        Workloads.pod(client, "cinder-scheduler-0")
            .getStatus()
            .getContainerStatuses()
            .get(0)
            .getLastState()
            .getTerminated();
    assertThat(last.getMessage()).contains("ServiceTooOld");
    assertThat(row("cinder-scheduler", "cinder-scheduler-0")).isEmpty();
  }

  @Test
  void aMutedServiceGetsReadyButNeverReports() {
    sim.cinder().muteServices(p -> p.getMetadata().getName().equals("cinder-scheduler-0"));
    statefulSet(
        "cinder-scheduler",
        1,
        "registry.example/cinder:2024.1",
        Labels.of(CLUSTER, Component.SCHEDULER));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Workloads.ready(Workloads.pod(client, "cinder-scheduler-0")));
    assertThat(rows()).isEmpty();
  }

  @Test
  void anOutageStopsHeartbeatsUntilTheDatabaseRecovers() {
    statefulSet(
        "cinder-scheduler",
        1,
        "registry.example/cinder:2024.1",
        Labels.of(CLUSTER, Component.SCHEDULER));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                row("cinder-scheduler", "cinder-scheduler-0")
                    .map(r -> r.reportCount() >= 1)
                    .orElse(false));

    sim.servicesTable(NS, CLUSTER).outage();
    int during = row("cinder-scheduler", "cinder-scheduler-0").orElseThrow().reportCount();
    // at most the heartbeat already under way lands; then none for several report intervals
    await()
        .during(Duration.ofMillis(400))
        .atMost(Duration.ofSeconds(2))
        .until(
            () ->
                row("cinder-scheduler", "cinder-scheduler-0").orElseThrow().reportCount()
                    <= during + 1);

    sim.servicesTable(NS, CLUSTER).recover();
    await()
        .until(
            () ->
                row("cinder-scheduler", "cinder-scheduler-0").orElseThrow().reportCount()
                    >= during + 2);
  }
}
