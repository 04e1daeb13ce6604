package dev.cinderoperator.upgrade.steps;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.UpgradeSpec;
import dev.cinderoperator.upgrade.ClusterLayout;
import dev.cinderoperator.upgrade.JobHash;
import dev.cinderoperator.upgrade.PodView;
import dev.cinderoperator.workload.Component;
import java.util.ArrayList;
import java.util.List;

/** What a step's line of the preview is written from: the spec, the pods and the two images. */
public record PreviewInput(
    String cluster,
    CinderClusterSpec spec,
    List<PodView> pods,
    String fromRelease,
    String fromImage,
    String toImage) {

  public ClusterLayout layout() {
    return new ClusterLayout(cluster, spec);
  }

  public UpgradeSpec policy() {
    return spec.upgradeOrDefault();
  }

  public String hashFrom() {
    return JobHash.of(fromImage);
  }

  public String hashTo() {
    return JobHash.of(toImage);
  }

  /** The slots' pods that do not run the target image yet (missing ones included), in order. */
  public List<String> toRoll(List<ClusterLayout.Slot> slots) {
    return slots.stream()
        .map(ClusterLayout.Slot::pod)
        .filter(
            name ->
                pods.stream().noneMatch(p -> p.name().equals(name) && toImage.equals(p.image())))
        .toList();
  }

  /** API pods not on the target image. */
  public List<String> apiToRoll() {
    return apiPods().stream().filter(p -> !toImage.equals(p.image())).map(PodView::name).toList();
  }

  /** Every scheduler, volume and backup pod, in the forward order. */
  public List<String> forwardPods() {
    return layout().forward().stream().map(ClusterLayout.Slot::pod).toList();
  }

  /** Every scheduler, volume and backup pod, then every API pod. */
  public List<String> everyPod() {
    List<String> all = new ArrayList<>(forwardPods());
    apiPods().forEach(p -> all.add(p.name()));
    return all;
  }

  private List<PodView> apiPods() {
    return pods.stream().filter(p -> p.component() == Component.API).toList();
  }
}
