package dev.cinderoperator.sim.controllers;

import dev.cinderoperator.sim.KubeTime;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.informers.SimCaches;
import dev.cinderoperator.sim.node.PodTerminations;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The StatefulSet controller: pods {@code <sts>-<ordinal>} from the template, OrderedReady or
 * Parallel, OnDelete or RollingUpdate with partition (highest ordinal first, one at a time, each
 * waiting for Ready), scale up and down from the highest ordinal, and {@code .status}. A pod's name
 * is reused only after the kubelet has finished terminating its previous holder.
 */
public final class StatefulSetController extends PodOwnerLoop<StatefulSet> {
  public static final String REVISION_LABEL = "controller-revision-hash";
  public static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
  private static final Duration LOST_TERMINATION = Duration.ofSeconds(2);

  private final PodTerminations terminations;

  /** Templates by revision name, so pods below a partition are recreated at their revision. */
  private final Map<String, PodTemplateSpec> revisions = new ConcurrentHashMap<>();

  /** The last uid created or seen under each pod name, with when it went missing. */
  private final Map<String, String> lastUid = new ConcurrentHashMap<>();

  private final Map<String, Instant> missingSince = new ConcurrentHashMap<>();

  /** The current revision per StatefulSet uid (its status may be wiped by a PUT of the spec). */
  private final Map<String, String> currentRevisions = new ConcurrentHashMap<>();

  /** Pod create failures already reported, by StatefulSet uid and message. */
  private final java.util.Set<String> reportedFailures = ConcurrentHashMap.newKeySet();

  public StatefulSetController(
      KubernetesClient client, SimConfig config, PodTerminations terminations, SimCaches caches) {
    super("statefulset-controller", "StatefulSet", caches.statefulSets, client, config, caches);
    this.terminations = terminations;
  }

  @Override
  protected void reconcile(StatefulSet sts, List<Pod> ownedPods) {
    String ns = sts.getMetadata().getNamespace();
    String name = sts.getMetadata().getName();
    int replicas = sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
    PodTemplateSpec template = sts.getSpec().getTemplate();
    String updateRevision = name + "-" + templateHash(sts, sts.getSpec().getTemplate());
    revisions.put(ns + "/" + updateRevision, template);
    String currentRevision = currentRevision(sts, ownedPods, updateRevision);

    TreeMap<Integer, Pod> byOrdinal = new TreeMap<>();
    List<Pod> strays = new ArrayList<>();
    for (Pod pod : ownedPods) {
      int ordinal = ordinalOf(name, pod.getMetadata().getName());
      if (ordinal < 0) {
        strays.add(pod);
      } else {
        byOrdinal.put(ordinal, pod);
        lastUid.put(ns + "/" + pod.getMetadata().getName(), pod.getMetadata().getUid());
      }
    }
    strays.forEach(this::deletePod);

    boolean parallel = "Parallel".equals(sts.getSpec().getPodManagementPolicy());
    boolean onDelete =
        sts.getSpec().getUpdateStrategy() != null
            && "OnDelete".equals(sts.getSpec().getUpdateStrategy().getType());
    int partition = partitionOf(sts);

    // create missing pods (ordered: one at a time, every lower ordinal Running and Ready first)
    boolean blocked = false;
    for (int ordinal = 0; ordinal < replicas && !blocked; ordinal++) {
      Pod pod = byOrdinal.get(ordinal);
      if (pod == null) {
        String podName = name + "-" + ordinal;
        if (!nameFree(ns, podName)) {
          blocked = !parallel;
          wakeAfter(config.terminationGracePeriod());
          continue;
        }
        String revision =
            !onDelete && ordinal < partition && revisions.containsKey(ns + "/" + currentRevision)
                ? currentRevision
                : updateRevision;
        Pod created = createPod(sts, ordinal, revision, revisions.get(ns + "/" + revision));
        if (created != null) {
          byOrdinal.put(ordinal, created);
        }
        blocked = !parallel;
      } else if (!parallel && !PodTemplates.isReady(pod)) {
        blocked = true;
      }
    }

    // scale down: highest ordinal first (ordered: one at a time, only when all others are Ready)
    List<Integer> extra = new ArrayList<>(byOrdinal.tailMap(replicas).keySet());
    extra.sort((a, b) -> b - a);
    for (int ordinal : extra) {
      if (!parallel && !allReady(byOrdinal.headMap(ordinal))) {
        break;
      }
      deletePod(byOrdinal.remove(ordinal));
      if (!parallel) {
        break;
      }
    }

    // rolling update: highest ordinal >= partition first, one at a time, all others Ready
    if (!onDelete && byOrdinal.size() == replicas && allReady(byOrdinal)) {
      for (int ordinal : byOrdinal.descendingKeySet()) {
        if (ordinal < partition) {
          break;
        }
        Pod pod = byOrdinal.get(ordinal);
        if (!updateRevision.equals(revisionOf(pod))) {
          deletePod(pod);
          break;
        }
      }
    }

    writeStatus(sts, byOrdinal, replicas, currentRevision, updateRevision);
  }

  private String currentRevision(StatefulSet sts, List<Pod> pods, String updateRevision) {
    String known = currentRevisions.get(sts.getMetadata().getUid());
    if (known != null) {
      return known;
    }
    if (sts.getStatus() != null && sts.getStatus().getCurrentRevision() != null) {
      return sts.getStatus().getCurrentRevision();
    }
    return pods.stream()
        .map(StatefulSetController::revisionOf)
        .filter(r -> r != null && !r.equals(updateRevision))
        .findFirst()
        .orElse(updateRevision);
  }

  private void writeStatus(
      StatefulSet sts,
      TreeMap<Integer, Pod> byOrdinal,
      int replicas,
      String currentRevision,
      String updateRevision) {
    int ready = 0;
    int current = 0;
    int updated = 0;
    for (Pod pod : byOrdinal.values()) {
      if (PodTemplates.isReady(pod)) {
        ready++;
      }
      String revision = revisionOf(pod);
      if (currentRevision.equals(revision)) {
        current++;
      }
      if (updateRevision.equals(revision)) {
        updated++;
      }
    }
    String newCurrent = currentRevision;
    if (updated == replicas && ready == replicas && byOrdinal.size() == replicas) {
      // the rollout is complete: the update revision becomes the current one
      newCurrent = updateRevision;
      current = updated;
    }
    currentRevisions.put(sts.getMetadata().getUid(), newCurrent);
    StatefulSetStatus desired =
        new StatefulSetStatusBuilder()
            .withObservedGeneration(sts.getMetadata().getGeneration())
            .withReplicas(byOrdinal.size())
            .withReadyReplicas(ready)
            .withAvailableReplicas(ready)
            .withCurrentReplicas(current)
            .withUpdatedReplicas(updated)
            .withCurrentRevision(newCurrent)
            .withUpdateRevision(updateRevision)
            .withCollisionCount(0)
            .build();
    String hash = updateRevision.substring(sts.getMetadata().getName().length() + 1);
    writeStatus(
        sts,
        hash,
        desired,
        sts.getStatus(),
        () ->
            caches.statefulSets.wrote(
                client
                    .apps()
                    .statefulSets()
                    .resource(new StatefulSetBuilder(sts).withStatus(desired).build())
                    .updateStatus()));
  }

  private Pod createPod(StatefulSet sts, int ordinal, String revision, PodTemplateSpec template) {
    String podName = sts.getMetadata().getName() + "-" + ordinal;
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(REVISION_LABEL, revision);
    labels.put(POD_NAME_LABEL, podName);
    labels.put("apps.kubernetes.io/pod-index", Integer.toString(ordinal));
    Pod pod = PodTemplates.podFrom(sts, "apps/v1", template, podName, labels, config.nodeName());
    pod.getSpec().setHostname(podName);
    pod.getSpec().setSubdomain(sts.getSpec().getServiceName());
    Pod created;
    try {
      created = caches.pods.wrote(client.pods().resource(pod).create());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 422) {
        throw e;
      }
      // as on a real cluster: a name too long for the revision label or the pod's hostname
      // makes every create fail; the controller reports it and keeps trying
      failedCreate(sts, podName, e);
      return null;
    }
    lastUid.put(sts.getMetadata().getNamespace() + "/" + podName, created.getMetadata().getUid());
    missingSince.remove(sts.getMetadata().getNamespace() + "/" + podName);
    return created;
  }

  /**
   * A Warning Event on the StatefulSet, once per distinct failure, as the real controller sends.
   */
  private void failedCreate(StatefulSet sts, String podName, KubernetesClientException e) {
    String message =
        "create Pod "
            + podName
            + " in StatefulSet "
            + sts.getMetadata().getName()
            + " failed error: "
            + (e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage());
    if (!reportedFailures.add(sts.getMetadata().getUid() + "/" + message)) {
      return;
    }
    String now = KubeTime.format(config.clock().instant());
    client
        .v1()
        .events()
        .inNamespace(sts.getMetadata().getNamespace())
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName(sts.getMetadata().getName() + "." + Long.toHexString(System.nanoTime()))
                .withNamespace(sts.getMetadata().getNamespace())
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion("apps/v1")
                .withKind("StatefulSet")
                .withName(sts.getMetadata().getName())
                .withNamespace(sts.getMetadata().getNamespace())
                .withUid(sts.getMetadata().getUid())
                .endInvolvedObject()
                .withType("Warning")
                .withReason("FailedCreate")
                .withMessage(message)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .withNewSource()
                .withComponent("statefulset-controller")
                .endSource()
                .build())
        .create();
  }

  /** A name is free once the kubelet has stopped the pod that last held it. */
  private boolean nameFree(String ns, String podName) {
    String key = ns + "/" + podName;
    String uid = lastUid.get(key);
    if (uid == null || terminations.isGone(uid)) {
      return true;
    }
    Instant now = config.clock().instant();
    Instant since = missingSince.computeIfAbsent(key, k -> now);
    // the kubelet never saw that pod (deleted before it started): do not wait forever
    return !terminations.isTerminating(uid)
        && Duration.between(since, now)
                .compareTo(config.terminationGracePeriod().plus(LOST_TERMINATION))
            > 0;
  }

  private static int partitionOf(StatefulSet sts) {
    var strategy = sts.getSpec().getUpdateStrategy();
    if (strategy == null
        || strategy.getRollingUpdate() == null
        || strategy.getRollingUpdate().getPartition() == null) {
      return 0;
    }
    return strategy.getRollingUpdate().getPartition();
  }

  static int ordinalOf(String sts, String podName) {
    if (!podName.startsWith(sts + "-")) {
      return -1;
    }
    try {
      return Integer.parseInt(podName.substring(sts.length() + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static String revisionOf(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return labels == null ? null : labels.get(REVISION_LABEL);
  }

  private static boolean allReady(Map<Integer, Pod> pods) {
    return pods.values().stream().allMatch(PodTemplates::isReady);
  }
}
