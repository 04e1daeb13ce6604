package dev.cinderoperator.sim.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cinderoperator.sim.apiserver.PodRemoval;
import dev.cinderoperator.sim.events.SimEvent.PodRemovedEvent;
import dev.cinderoperator.workload.Labels;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Turns the API server's pod removals into {@link PodRemovedEvent}s: who removed the pod, which
 * other pods of its component were down at that moment (read from the store right after the
 * removal, so a stale cache of the remover cannot hide them), and which upgrade step the cluster
 * was in.
 */
public final class PodRemovals {
  private static final String CLUSTERS = "/apis/cinder.operator.dev/v1alpha1/namespaces/";

  private final Predicate<String> isOperator;
  private final Clock clock;

  /**
   * @param isOperator whether a User-Agent is the operator under test's
   */
  public PodRemovals(Predicate<String> isOperator, Clock clock) {
    this.isOperator = isOperator;
    this.clock = clock;
  }

  public PodRemovedEvent event(PodRemoval removal) {
    JsonNode pod = removal.pod();
    String ns = pod.at("/metadata/namespace").asText();
    Map<String, String> labels = new LinkedHashMap<>();
    pod.at("/metadata/labels")
        .properties()
        .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    String by = removal.by() == null ? "garbage collection" : removal.by().client();
    String cluster = labels.get(Labels.INSTANCE);
    String target = null;
    String step = null;
    if (cluster != null) {
      var cc = removal.store().get(CLUSTERS + ns + "/cinderclusters/" + cluster);
      if (cc.isPresent()) {
        step = textOrNull(cc.get().at("/status/upgrade/step"));
        if (step != null && !step.equals("Complete")) {
          target = textOrNull(cc.get().at("/status/upgrade/toImage"));
        } else {
          step = null;
        }
      }
    }
    return new PodRemovedEvent(
        clock.instant(),
        ns,
        pod.at("/metadata/name").asText(),
        pod.at("/metadata/uid").asText(),
        pod.at("/spec/containers/0/image").asText(null),
        labels,
        by,
        removal.via(),
        removal.by() != null && isOperator.test(by),
        othersDown(removal, ns, labels),
        target,
        step);
  }

  /** The other pods of the removed pod's group (same StatefulSet) that are down right now. */
  private static List<String> othersDown(
      PodRemoval removal, String ns, Map<String, String> labels) {
    JsonNode owner = null;
    for (JsonNode ref : removal.pod().at("/metadata/ownerReferences")) {
      if (ref.path("controller").asBoolean(false)
          && "StatefulSet".equals(ref.path("kind").asText())) {
        owner = ref;
      }
    }
    List<String> down = new ArrayList<>();
    if (owner == null) {
      return down;
    }
    String ownerUid = owner.path("uid").asText();
    int present = 0;
    String instance = labels.get(Labels.INSTANCE);
    String pods =
        "/api/v1/namespaces/"
            + ns
            + "/pods"
            + (instance == null ? "" : "?labelSelector=" + Labels.INSTANCE + "=" + instance);
    for (JsonNode p : removal.store().list(pods)) {
      boolean sibling = false;
      for (JsonNode ref : p.at("/metadata/ownerReferences")) {
        sibling |= ownerUid.equals(ref.path("uid").asText());
      }
      if (!sibling) {
        continue;
      }
      present++;
      String name = p.at("/metadata/name").asText();
      if (!p.at("/metadata/deletionTimestamp").isMissingNode()) {
        down.add(name + " (terminating)");
      } else if (!ready(p)) {
        down.add(name + " (not Ready)");
      }
    }
    int replicas =
        removal
            .store()
            .get("/apis/apps/v1/namespaces/" + ns + "/statefulsets/" + owner.path("name").asText())
            .map(s -> s.at("/spec/replicas").asInt(1))
            .orElse(0);
    int missing = replicas - 1 - present;
    if (missing > 0) {
      down.add(missing + " missing");
    }
    return down;
  }

  private static boolean ready(JsonNode pod) {
    for (JsonNode c : pod.at("/status/conditions")) {
      if ("Ready".equals(c.path("type").asText())) {
        return "True".equals(c.path("status").asText());
      }
    }
    return false;
  }

  private static String textOrNull(JsonNode n) {
    return n.isMissingNode() || n.isNull() ? null : n.asText();
  }
}
