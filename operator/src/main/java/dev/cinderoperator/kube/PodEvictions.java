package dev.cinderoperator.kube;

import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Takes Cinder pods down through the eviction API, one incarnation at a time. */
final class PodEvictions {
  private static final Logger LOG = LoggerFactory.getLogger(PodEvictions.class);

  /**
   * What an eviction did.
   *
   * @param taken this call took the pod down
   * @param refusal why a PodDisruptionBudget (or the API server's throttling) refused it; null when
   *     none did
   */
  record Outcome(boolean taken, String refusal) {
    static final Outcome TAKEN = new Outcome(true, null);
    static final Outcome LEFT = new Outcome(false, null);
  }

  private final KubernetesClient client;

  PodEvictions(KubernetesClient client) {
    this.client = client;
  }

  /**
   * The pod as the API server has it now, if it is still this incarnation (same uid, or any when
   * uid is null) and not terminating: the informer cache may lag behind a delete this operator just
   * made.
   */
  Optional<Pod> liveIncarnation(String ns, String podName, String uid) {
    Pod live = client.pods().inNamespace(ns).withName(podName).get();
    return live == null
            || live.getMetadata().getDeletionTimestamp() != null
            || (uid != null && !uid.equals(live.getMetadata().getUid()))
        ? Optional.empty()
        : Optional.of(live);
  }

  /**
   * Takes the pod down, and only if it is still the incarnation the planner chose. The eviction
   * carries the uid and the resourceVersion just read as preconditions, so one the client sends
   * again (its first answer lost, the pod recreated meanwhile) is refused instead of taking the new
   * pod. Evicting, not deleting, lets the API server check the component's PodDisruptionBudget (one
   * pod down at most) in the same step as it takes the pod: a pod a node drain evicted, or someone
   * deleted, after this operator's cache last looked makes the budget refuse (429), and the roll
   * waits for that pod instead of taking a second one.
   */
  Outcome evict(String ns, String podName, String uid) {
    Optional<Pod> live = liveIncarnation(ns, podName, uid);
    if (live.isEmpty()) {
      LOG.info("pod {} already being replaced; not deleting it again", podName);
      return Outcome.LEFT;
    }
    try {
      if (client.pods().inNamespace(ns).withName(podName).evict(eviction(ns, live.get()))) {
        return Outcome.TAKEN;
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409 && e.getCode() != 404) {
        throw e;
      }
      LOG.info(
          "pod {} changed or was recreated before the eviction landed; not evicting it", podName);
      return Outcome.LEFT;
    }
    String down = othersDown(ns, live.get());
    // 429 is also the API server's throttling; the client retried it already.
    String why =
        down == null
            ? "pod "
                + podName
                + ": the eviction was refused (429: its PodDisruptionBudget or the API"
                + " server's throttling); trying again"
            : "pod "
                + podName
                + ": its PodDisruptionBudget allows no eviction while "
                + down
                + "; waiting for it";
    LOG.info("{}", why);
    return new Outcome(false, why);
  }

  private static Eviction eviction(String ns, Pod live) {
    return new EvictionBuilder()
        .withNewMetadata()
        .withName(live.getMetadata().getName())
        .withNamespace(ns)
        .endMetadata()
        .withDeleteOptions(
            new DeleteOptionsBuilder()
                .withNewPreconditions()
                .withUid(live.getMetadata().getUid())
                .withResourceVersion(live.getMetadata().getResourceVersion())
                .endPreconditions()
                .build())
        .build();
  }

  /**
   * The other pods of the pod's kind that are not Ready or terminating, read from the API; null
   * when there are none.
   */
  private String othersDown(String ns, Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    Map<String, String> kind = new TreeMap<>();
    for (String key : List.of(Labels.INSTANCE, Labels.COMPONENT, Labels.BACKEND)) {
      if (labels != null && labels.get(key) != null) {
        kind.put(key, labels.get(key));
      }
    }
    List<String> down =
        client.pods().inNamespace(ns).withLabels(kind).list().getItems().stream()
            .filter(p -> !p.getMetadata().getName().equals(pod.getMetadata().getName()))
            .filter(p -> PodState.isTerminating(p) || !PodState.isReady(p))
            .map(
                p ->
                    p.getMetadata().getName()
                        + (PodState.isTerminating(p) ? " (terminating)" : " (not Ready)"))
            .sorted()
            .toList();
    return down.isEmpty()
        ? null
        : String.join(", ", down) + (down.size() == 1 ? " is" : " are") + " down";
  }
}
