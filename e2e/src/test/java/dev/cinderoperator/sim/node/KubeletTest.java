package dev.cinderoperator.sim.node;

import static dev.cinderoperator.sim.Workloads.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.kube.PodSignaller;
import dev.cinderoperator.sim.MockApiServer;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.SimulatedCluster;
import dev.cinderoperator.sim.Workloads;
import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MockApiServer.class)
class KubeletTest {
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

  private void createPod(String name, String image) {
    client
        .pods()
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("main")
                .withImage(image)
                .endContainer()
                .endSpec()
                .build())
        .create();
  }

  private Pod pod(String name) {
    return Workloads.pod(client, name);
  }

  private static boolean running(Pod pod) {
    return pod != null
        && pod.getStatus() != null
        && pod.getStatus().getContainerStatuses().size() == 1
        && pod.getStatus().getContainerStatuses().get(0).getState().getRunning() != null;
  }

  @Test
  void aPodGoesPendingRunningReadyWithImageAndStartTimeInItsStatus() {
    createPod("p", "example/app:1");

    await().until(() -> Workloads.ready(pod("p")));
    var status = pod("p").getStatus();
    assertThat(status.getPhase()).isEqualTo("Running");
    var container = status.getContainerStatuses().get(0);
    assertThat(container.getImage()).isEqualTo("example/app:1");
    assertThat(container.getImageID()).startsWith("example/app@sha256:");
    assertThat(container.getState().getRunning().getStartedAt()).isNotNull();
    assertThat(container.getReady()).isTrue();
    assertThat(sim.recorder().pod(NS, "p"))
        .extracting(PodEvent::kind)
        .containsExactly(PodEvent.Kind.CREATED, PodEvent.Kind.RUNNING, PodEvent.Kind.READY);
  }

  @Test
  void aSlowerImageStartsLater() {
    sim.kubelet()
        .startDelay(p -> Workloads.image(p).equals("example/slow:1"), Duration.ofMillis(800));
    createPod("slow", "example/slow:1");
    createPod("fast", "example/app:1");

    await().until(() -> Workloads.ready(pod("slow")));
    var events = sim.recorder().pods();
    int fastReady =
        events.indexOf(
            sim.recorder()
                .of(PodEvent.class, e -> e.pod().equals("fast") && e.kind() == PodEvent.Kind.READY)
                .get(0));
    int slowRunning =
        events.indexOf(
            sim.recorder()
                .of(
                    PodEvent.class,
                    e -> e.pod().equals("slow") && e.kind() == PodEvent.Kind.RUNNING)
                .get(0));
    assertThat(fastReady).isLessThan(slowRunning);
  }

  @Test
  void withheldReadinessKeepsARunningPodNotReadyUntilReleased() {
    sim.kubelet().withholdReadiness(p -> p.getMetadata().getName().equals("stuck"));
    createPod("stuck", "example/app:1");
    createPod("other", "example/app:1");

    await().until(() -> Workloads.ready(pod("other")) && running(pod("stuck")));
    assertThat(Workloads.ready(pod("stuck"))).isFalse();

    sim.kubelet().clearKnobs();
    await().until(() -> Workloads.ready(pod("stuck")));
  }

  @Test
  void aCrashLoopingContainerWaitsInCrashLoopBackOffWithARisingRestartCount() {
    sim.kubelet().crashLoop(p -> p.getMetadata().getName().equals("crashy"));
    createPod("crashy", "example/app:1");

    await()
        .until(
            () -> {
              Pod p = pod("crashy");
              if (p == null
                  || p.getStatus() == null
                  || p.getStatus().getContainerStatuses().isEmpty()) {
                return false;
              }
              var c = p.getStatus().getContainerStatuses().get(0);
              return c.getRestartCount() >= 1
                  && c.getState().getWaiting() != null
                  && "CrashLoopBackOff".equals(c.getState().getWaiting().getReason());
            });
    assertThat(Workloads.ready(pod("crashy"))).isFalse();
    assertThat(
            pod("crashy")
                .getStatus()
                .getContainerStatuses()
                .get(0)
                .getLastState()
                .getTerminated()
                .getExitCode())
        .isEqualTo(1);

    sim.kubelet().clearKnobs();
    await().until(() -> Workloads.ready(pod("crashy")));
  }

  @Test
  void signalsReachRunningPodsAndFailForPodsWithoutARunningContainer() {
    createPod("p", "example/app:1");
    await().until(() -> Workloads.ready(pod("p")));

    sim.podSignaller().sighup(NS, "p");

    assertThat(sim.recorder().signals())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.pod()).isEqualTo("p");
              assertThat(s.signal()).isEqualTo("SIGHUP");
              assertThat(s.delivered()).isTrue();
            });
    assertThatThrownBy(() -> sim.podSignaller().sighup(NS, "absent"))
        .isInstanceOf(PodSignaller.SignalFailedException.class)
        .hasMessageContaining("absent");
  }

  @Test
  void statusWipedByAnotherWriterIsRestored() {
    createPod("p", "example/app:1");
    await().until(() -> Workloads.ready(pod("p")));

    Pod p = pod("p");
    p.setStatus(null);
    p.getMetadata().setLabels(java.util.Map.of("touched", "yes"));
    client.pods().resource(p).update();

    await().until(() -> Workloads.ready(pod("p")));
    assertThat(pod("p").getMetadata().getLabels()).containsEntry("touched", "yes");
  }

  @Test
  void aDeletedPodIsHeldTerminatingForTheGracePeriodThenGone() {
    createPod("p", "example/app:1");
    await().until(() -> Workloads.ready(pod("p")));
    String uid = pod("p").getMetadata().getUid();

    client.pods().inNamespace(NS).withName("p").delete();

    await().until(() -> sim.terminations().isGone(uid));
    assertThat(sim.recorder().pod(NS, "p"))
        .extracting(PodEvent::kind)
        .endsWith(PodEvent.Kind.DELETED, PodEvent.Kind.GONE);
  }
}
