package dev.cinderoperator.sim.node;

import static dev.cinderoperator.sim.node.PodFacts.image;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * How the node's pods behave, as tests and the demo set it: the container runtime per image, start
 * delays, readiness withheld, crash loops and one-off container restarts.
 */
final class PodBehaviour {
  private final List<Map.Entry<Predicate<String>, ContainerRuntime>> runtimes =
      new CopyOnWriteArrayList<>();
  private final ContainerRuntime fallbackRuntime = new GenericRuntime();
  private final List<Map.Entry<Predicate<Pod>, Duration>> startDelays =
      new CopyOnWriteArrayList<>();
  private final List<Predicate<Pod>> withheldReadiness = new CopyOnWriteArrayList<>();
  private final List<Predicate<Pod>> crashLoops = new CopyOnWriteArrayList<>();
  private final Set<String> restartRequests = ConcurrentHashMap.newKeySet();

  /** Later registrations win. */
  void useRuntime(Predicate<String> image, ContainerRuntime runtime) {
    runtimes.add(0, Map.entry(image, runtime));
  }

  /** Later ones win. */
  void startDelay(Predicate<Pod> pods, Duration delay) {
    startDelays.add(0, Map.entry(pods, delay));
  }

  void withholdReadiness(Predicate<Pod> pods) {
    withheldReadiness.add(pods);
  }

  void crashLoop(Predicate<Pod> pods) {
    crashLoops.add(pods);
  }

  void restartOnce(String namespace, String pod) {
    restartRequests.add(namespace + "/" + pod);
  }

  /** Whether a restart of this pod was asked for; the request is used up. */
  boolean takeRestart(String namespace, String pod) {
    return restartRequests.remove(namespace + "/" + pod);
  }

  /** Drops every start delay, withheld readiness and crash loop (runtimes stay). */
  void clear() {
    startDelays.clear();
    withheldReadiness.clear();
    crashLoops.clear();
  }

  boolean crashLooping(Pod pod) {
    return matches(crashLoops, pod);
  }

  boolean readinessWithheld(Pod pod) {
    return matches(withheldReadiness, pod);
  }

  ContainerRuntime runtimeFor(Pod pod) {
    String image = image(pod);
    for (Map.Entry<Predicate<String>, ContainerRuntime> e : runtimes) {
      if (image != null && e.getKey().test(image)) {
        return e.getValue();
      }
    }
    return fallbackRuntime;
  }

  Duration startDelay(Pod pod, Duration otherwise) {
    for (Map.Entry<Predicate<Pod>, Duration> e : startDelays) {
      if (e.getKey().test(pod)) {
        return e.getValue();
      }
    }
    return otherwise;
  }

  private static boolean matches(List<Predicate<Pod>> predicates, Pod pod) {
    for (Predicate<Pod> p : predicates) {
      if (p.test(pod)) {
        return true;
      }
    }
    return false;
  }
}
