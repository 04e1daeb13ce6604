package dev.cinderoperator.sim.controllers;

import static dev.cinderoperator.sim.Workloads.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.sim.MockApiServer;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.SimulatedCluster;
import dev.cinderoperator.sim.Workloads;
import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MockApiServer.class)
class DeploymentControllerTest {
  private static final Map<String, String> LABELS = Map.of("app", "web");

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

  private Deployment deployment() {
    return client.apps().deployments().inNamespace(NS).withName("web").get();
  }

  @Test
  void rollingUpdateWithMaxUnavailableZeroNeverDropsBelowTheReadyCountNorSurgesPastOne() {
    client
        .apps()
        .deployments()
        .resource(Workloads.deployment("web", 3, "example/web:1", LABELS))
        .create();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                deployment().getStatus() != null
                    && Integer.valueOf(3).equals(deployment().getStatus().getReadyReplicas()));
    var first = Workloads.pods(client, LABELS).get(0);
    String hash = first.getMetadata().getLabels().get(DeploymentController.HASH_LABEL);
    assertThat(first.getMetadata().getName()).matches("web-" + hash + "-[a-z0-9]{5}");
    int before = sim.recorder().pods().size();

    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName("web")
        .edit(
            d -> {
              d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("example/web:2");
              return d;
            });

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              var s = deployment().getStatus();
              return Integer.valueOf(3).equals(s.getUpdatedReplicas())
                  && Integer.valueOf(3).equals(s.getReadyReplicas())
                  && Integer.valueOf(3).equals(s.getReplicas())
                  && s.getObservedGeneration().equals(deployment().getMetadata().getGeneration());
            });
    assertThat(Workloads.pods(client, LABELS))
        .allMatch(p -> Workloads.image(p).equals("example/web:2"));

    // replay the kubelet's view: Ready pods never below 3, pods never above 4
    Set<String> live = new HashSet<>();
    Map<String, Boolean> ready = new HashMap<>();
    var events = sim.recorder().pods();
    for (PodEvent e : events.subList(0, before)) {
      apply(e, live, ready);
    }
    int minReady = Integer.MAX_VALUE;
    int maxPods = 0;
    for (PodEvent e : events.subList(before, events.size())) {
      apply(e, live, ready);
      minReady = Math.min(minReady, (int) ready.values().stream().filter(b -> b).count());
      maxPods = Math.max(maxPods, live.size());
    }
    assertThat(minReady).isEqualTo(3);
    assertThat(maxPods).isEqualTo(4);
  }

  @Test
  void recreateStopsEveryOldPodBeforeStartingNewOnes() {
    Deployment d = Workloads.deployment("web", 2, "example/web:1", LABELS);
    d.getSpec().getStrategy().setType("Recreate");
    d.getSpec().getStrategy().setRollingUpdate(null);
    client.apps().deployments().resource(d).create();
    await()
        .until(
            () ->
                deployment().getStatus() != null
                    && Integer.valueOf(2).equals(deployment().getStatus().getReadyReplicas()));

    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName("web")
        .edit(
            x -> {
              x.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("example/web:2");
              return x;
            });

    await()
        .until(
            () ->
                Integer.valueOf(2).equals(deployment().getStatus().getUpdatedReplicas())
                    && Integer.valueOf(2).equals(deployment().getStatus().getReadyReplicas()));
    var events = sim.recorder().pods();
    int lastOldDeleted = -1;
    int firstNewCreated = Integer.MAX_VALUE;
    for (int i = 0; i < events.size(); i++) {
      PodEvent e = events.get(i);
      if (e.kind() == PodEvent.Kind.DELETED && e.image().equals("example/web:1")) {
        lastOldDeleted = i;
      }
      if (e.kind() == PodEvent.Kind.CREATED && e.image().equals("example/web:2")) {
        firstNewCreated = Math.min(firstNewCreated, i);
      }
    }
    assertThat(lastOldDeleted).isLessThan(firstNewCreated);
  }

  private static void apply(PodEvent e, Set<String> live, Map<String, Boolean> ready) {
    switch (e.kind()) {
      case CREATED -> {
        live.add(e.uid());
        ready.put(e.uid(), false);
      }
      case READY -> ready.put(e.uid(), true);
      case NOT_READY -> ready.put(e.uid(), false);
      case DELETED -> {
        live.remove(e.uid());
        ready.remove(e.uid());
      }
      default -> {}
    }
  }
}
