package dev.cinderoperator.sim.node;

import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;

/** What a pod's spec, labels and owners say about it: job or not, image, cluster, job name. */
public final class PodFacts {
  private PodFacts() {}

  public static boolean isJob(Pod pod) {
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    if (owners != null && owners.stream().anyMatch(o -> "Job".equals(o.getKind()))) {
      return true;
    }
    String policy = pod.getSpec() == null ? null : pod.getSpec().getRestartPolicy();
    return "Never".equals(policy) || "OnFailure".equals(policy);
  }

  public static String image(Pod pod) {
    List<Container> containers = pod.getSpec() == null ? null : pod.getSpec().getContainers();
    return containers == null || containers.isEmpty() ? null : containers.get(0).getImage();
  }

  public static String label(Pod pod, String key) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return labels == null ? null : labels.get(key);
  }

  public static String cluster(Pod pod) {
    return label(pod, Labels.INSTANCE);
  }

  public static String jobName(Pod pod) {
    String name = label(pod, "batch.kubernetes.io/job-name");
    if (name == null) {
      name = label(pod, "job-name");
    }
    if (name == null && pod.getMetadata().getOwnerReferences() != null) {
      name =
          pod.getMetadata().getOwnerReferences().stream()
              .filter(o -> "Job".equals(o.getKind()))
              .map(OwnerReference::getName)
              .findFirst()
              .orElse(null);
    }
    return name;
  }
}
