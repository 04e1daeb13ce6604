package dev.cinderoperator.workload;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator's restricted security contexts, and a user's override laid over them field by field:
 * every field the override sets replaces the operator's, the others stay. Two fields follow from
 * the override where Kubernetes would otherwise refuse or the kubelet fail the pod: {@code
 * privileged: true} lifts {@code allowPrivilegeEscalation: false}, and {@code runAsUser: 0} lifts
 * {@code runAsNonRoot: true}, unless the override sets them itself.
 */
public final class SecurityContexts {
  /** The uid Cinder images (Kolla, openstack-k8s) run as. */
  public static final long CINDER_UID = 42407L;

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private SecurityContexts() {}

  public static SecurityContext container(SecurityContext override) {
    SecurityContext defaults =
        new SecurityContextBuilder()
            .withAllowPrivilegeEscalation(false)
            .withReadOnlyRootFilesystem(true)
            .withCapabilities(new Capabilities(null, List.of("ALL")))
            .build();
    if (override == null) {
      return defaults;
    }
    SecurityContext merged = overlay(defaults, override, SecurityContext.class);
    if (Boolean.TRUE.equals(override.getPrivileged())
        && override.getAllowPrivilegeEscalation() == null) {
      merged.setAllowPrivilegeEscalation(null);
    }
    return merged;
  }

  public static PodSecurityContext pod(PodSecurityContext override) {
    PodSecurityContext defaults =
        new PodSecurityContextBuilder()
            .withRunAsNonRoot(true)
            .withRunAsUser(CINDER_UID)
            .withRunAsGroup(CINDER_UID)
            .withFsGroup(CINDER_UID)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .build();
    if (override == null) {
      return defaults;
    }
    PodSecurityContext merged = overlay(defaults, override, PodSecurityContext.class);
    if (Long.valueOf(0L).equals(override.getRunAsUser()) && override.getRunAsNonRoot() == null) {
      merged.setRunAsNonRoot(null);
    }
    return merged;
  }

  @SuppressWarnings("unchecked")
  private static <T> T overlay(T defaults, T override, Class<T> type) {
    Map<String, Object> merged = new LinkedHashMap<>(JSON.convertValue(defaults, Map.class));
    Map<String, Object> changes = JSON.convertValue(override, Map.class);
    changes.forEach(
        (k, v) -> {
          if (v != null) {
            merged.put(k, v);
          }
        });
    return JSON.convertValue(merged, type);
  }
}
