package dev.cinderoperator.kube;

import dev.cinderoperator.upgrade.PodView;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/** The planner's view of live pods, for the read-only plan command. */
public final class PlanObservations {
  private PlanObservations() {}

  public static List<PodView> pods(List<Pod> pods) {
    return KubeObservations.pods(pods);
  }
}
