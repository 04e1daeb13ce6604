package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.function.Consumer;

/**
 * Optimistic-lock conflicts: another writer (a controller updating status, a person) changed the
 * object between the operator's read and its write. Normal on a busy cluster; the next reconcile
 * reads the new version and writes again.
 */
public final class Conflicts {
  private Conflicts() {}

  /** Whether {@code e}, or what caused it, is an HTTP 409 from the API server. */
  public static boolean isConflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() == 409) {
        return true;
      }
    }
    return false;
  }

  /**
   * Edits a CinderCluster's spec as {@code kubectl edit} would, again on a conflict with the
   * operator's status writes (the edit carries the resourceVersion it read); ten tries at most. For
   * tools and tests that play the user.
   */
  public static void editSpec(
      KubernetesClient client, String namespace, String name, Consumer<CinderClusterSpec> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        client
            .resources(CinderCluster.class)
            .inNamespace(namespace)
            .withName(name)
            .edit(
                cc -> {
                  change.accept(cc.getSpec());
                  return cc;
                });
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }
}
