package dev.cinderoperator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

/** Whether a workload's pods run a privileged container. */
final class PrivilegedPods {
  private PrivilegedPods() {}

  static boolean runsPrivileged(HasMetadata object) {
    PodTemplateSpec t = null;
    if (object instanceof StatefulSet s && s.getSpec() != null) {
      t = s.getSpec().getTemplate();
    } else if (object instanceof Deployment d && d.getSpec() != null) {
      t = d.getSpec().getTemplate();
    }
    if (t == null || t.getSpec() == null) {
      return false;
    }
    return t.getSpec().getContainers().stream()
        .anyMatch(
            c ->
                c.getSecurityContext() != null
                    && Boolean.TRUE.equals(c.getSecurityContext().getPrivileged()));
  }
}
