package dev.cinderoperator.install;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.VolumeBackendSpec;
import dev.cinderoperator.upgrade.PodView;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Names;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How many of the pods the spec asks for run an image and are Ready.
 *
 * @param allReady every StatefulSet pod and the API's replicas serve the image, and no API pod runs
 *     another one
 * @param ready pods counted as serving (API pods at most as many as wanted)
 * @param total pods the spec asks for
 * @param summary one line for status, e.g. {@code 4/5 pods Ready on img; waiting for c-volume-0}
 */
public record PodReadiness(boolean allReady, int ready, int total, String summary) {

  /** Counts the pods of cluster {@code cluster} (as the spec sizes it) that serve {@code image}. */
  public static PodReadiness of(
      String cluster, CinderClusterSpec spec, List<PodView> pods, String image) {
    Map<String, PodView> byName = new HashMap<>();
    pods.forEach(p -> byName.put(p.name(), p));
    List<String> waiting = new ArrayList<>();
    List<String> expected = statefulPods(cluster, spec);
    for (String p : expected) {
      PodView pod = byName.get(p);
      if (pod == null || !serves(pod, image)) {
        waiting.add(p);
      }
    }
    List<PodView> api = pods.stream().filter(p -> p.component() == Component.API).toList();
    long apiReady = api.stream().filter(p -> serves(p, image)).count();
    long apiOld = api.stream().filter(p -> !image.equals(p.image())).count();
    int apiWanted = spec.apiReplicas();
    boolean apiOk = apiReady >= apiWanted && apiOld == 0;
    int total = expected.size() + apiWanted;
    int done = expected.size() - waiting.size() + (int) Math.min(apiReady, apiWanted);
    String summary =
        done
            + "/"
            + total
            + " pods Ready on "
            + image
            + (waiting.isEmpty()
                ? ""
                : "; waiting for "
                    + String.join(", ", waiting.subList(0, Math.min(5, waiting.size()))))
            + (apiOk ? "" : "; API " + apiReady + "/" + apiWanted);
    return new PodReadiness(waiting.isEmpty() && apiOk, done, total, summary);
  }

  /** The scheduler, volume and backup pods the spec asks for, by name. */
  private static List<String> statefulPods(String cluster, CinderClusterSpec spec) {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < spec.schedulerReplicas(); i++) {
      expected.add(Names.statefulPod(Names.scheduler(cluster), i));
    }
    for (VolumeBackendSpec b : spec.volumesOrEmpty()) {
      for (int i = 0; i < b.replicasOrDefault(); i++) {
        expected.add(Names.statefulPod(Names.volume(cluster, b.getName()), i));
      }
    }
    for (int i = 0; i < spec.backupReplicas(); i++) {
      expected.add(Names.statefulPod(Names.backup(cluster), i));
    }
    return expected;
  }

  private static boolean serves(PodView pod, String image) {
    return image.equals(pod.image()) && pod.ready() && !pod.terminating();
  }
}
