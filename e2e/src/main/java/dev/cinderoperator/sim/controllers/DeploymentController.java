package dev.cinderoperator.sim.controllers;

import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.informers.SimCaches;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The Deployment controller without ReplicaSets: pods {@code <deploy>-<templatehash>-<random5>}
 * labelled {@code pod-template-hash}, Recreate or RollingUpdate within maxSurge/maxUnavailable, and
 * {@code .status} as {@code kubectl rollout status} reads it.
 */
public final class DeploymentController extends PodOwnerLoop<Deployment> {
  public static final String HASH_LABEL = "pod-template-hash";

  private final Random random;

  public DeploymentController(KubernetesClient client, SimConfig config, SimCaches caches) {
    super("deployment-controller", "Deployment", caches.deployments, client, config, caches);
    this.random = new Random(config.seed() * 31 + 7);
  }

  @Override
  protected void reconcile(Deployment d, List<Pod> pods) {
    int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    String hash = templateHash(d, d.getSpec().getTemplate());
    List<Pod> fresh = new ArrayList<>();
    List<Pod> old = new ArrayList<>();
    for (Pod pod : pods) {
      (hash.equals(label(pod)) ? fresh : old).add(pod);
    }
    // unready pods go first when pods must go
    Comparator<Pod> unreadyFirst =
        Comparator.comparing((Pod p) -> PodTemplates.isReady(p))
            .thenComparing(p -> p.getMetadata().getCreationTimestamp(), Comparator.reverseOrder());
    fresh.sort(unreadyFirst);
    old.sort(unreadyFirst);

    DeploymentStrategy strategy = d.getSpec().getStrategy();
    boolean recreate = strategy != null && "Recreate".equals(strategy.getType());
    if (recreate) {
      if (!old.isEmpty()) {
        old.forEach(this::deletePod);
        old.clear();
      } else {
        for (int i = fresh.size(); i < desired; i++) {
          fresh.add(create(d, hash));
        }
      }
    } else {
      int surge = resolve(strategy, true, desired);
      int unavailable = resolve(strategy, false, desired);
      if (surge == 0 && unavailable == 0) {
        unavailable = 1;
      }
      // too many new pods (scale down)
      while (fresh.size() > desired) {
        deletePod(fresh.remove(0));
      }
      // surge new pods
      int room = desired + surge - fresh.size() - old.size();
      for (int i = 0; i < room && fresh.size() < desired; i++) {
        fresh.add(create(d, hash));
      }
      // retire old pods without dropping below desired - maxUnavailable available
      int minAvailable = desired - unavailable;
      int available = countReady(fresh) + countReady(old);
      List<Pod> retire = new ArrayList<>();
      for (Pod pod : old) {
        boolean ready = PodTemplates.isReady(pod);
        if (!ready) {
          retire.add(pod);
        } else if (available - 1 >= minAvailable) {
          retire.add(pod);
          available--;
        }
      }
      retire.forEach(this::deletePod);
      old.removeAll(retire);
      // replace what was retired, within the surge
      room = desired + surge - fresh.size() - old.size();
      for (int i = 0; i < room && fresh.size() < desired; i++) {
        fresh.add(create(d, hash));
      }
    }
    writeStatus(d, hash, fresh, old, desired);
  }

  private void writeStatus(Deployment d, String hash, List<Pod> fresh, List<Pod> old, int desired) {
    int ready = countReady(fresh) + countReady(old);
    int total = fresh.size() + old.size();
    DeploymentStrategy strategy = d.getSpec().getStrategy();
    int unavailable =
        strategy != null && "Recreate".equals(strategy.getType())
            ? desired
            : Math.max(1, resolve(strategy, false, desired));
    boolean available = ready >= desired - unavailable;
    boolean complete = fresh.size() == desired && old.isEmpty() && countReady(fresh) == desired;
    List<DeploymentCondition> conditions = new ArrayList<>();
    conditions.add(
        new DeploymentConditionBuilder()
            .withType("Available")
            .withStatus(available ? "True" : "False")
            .withReason(available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable")
            .build());
    conditions.add(
        new DeploymentConditionBuilder()
            .withType("Progressing")
            .withStatus("True")
            .withReason(complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated")
            .build());
    DeploymentStatus status =
        new DeploymentStatusBuilder()
            .withObservedGeneration(d.getMetadata().getGeneration())
            .withReplicas(total)
            .withUpdatedReplicas(fresh.size())
            .withReadyReplicas(ready)
            .withAvailableReplicas(ready)
            .withUnavailableReplicas(Math.max(0, desired - ready))
            .withConditions(conditions)
            .build();
    writeStatus(
        d,
        hash,
        status,
        d.getStatus(),
        () ->
            caches.deployments.wrote(
                client
                    .apps()
                    .deployments()
                    .resource(new DeploymentBuilder(d).withStatus(status).build())
                    .updateStatus()));
  }

  private Pod create(Deployment d, String hash) {
    Pod pod =
        PodTemplates.podFrom(
            d,
            "apps/v1",
            d.getSpec().getTemplate(),
            d.getMetadata().getName() + "-" + hash + "-" + TemplateHash.suffix(random),
            Map.of(HASH_LABEL, hash),
            config.nodeName());
    return caches.pods.wrote(client.pods().resource(pod).create());
  }

  /** maxSurge (rounded up) or maxUnavailable (rounded down), defaults 25%. */
  static int resolve(DeploymentStrategy strategy, boolean surge, int desired) {
    IntOrString value = null;
    if (strategy != null && strategy.getRollingUpdate() != null) {
      value =
          surge
              ? strategy.getRollingUpdate().getMaxSurge()
              : strategy.getRollingUpdate().getMaxUnavailable();
    }
    if (value == null) {
      value = new IntOrString("25%");
    }
    if (value.getIntVal() != null) {
      return value.getIntVal();
    }
    String text = value.getStrVal();
    if (text.endsWith("%")) {
      double fraction = Integer.parseInt(text.substring(0, text.length() - 1)) * desired / 100.0;
      return surge ? (int) Math.ceil(fraction) : (int) Math.floor(fraction);
    }
    return Integer.parseInt(text);
  }

  private static String label(Pod pod) {
    return pod.getMetadata().getLabels() == null
        ? null
        : pod.getMetadata().getLabels().get(HASH_LABEL);
  }

  private static int countReady(List<Pod> pods) {
    return (int) pods.stream().filter(PodTemplates::isReady).count();
  }
}
