package dev.cinderoperator.e2e;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a user watching {@code kubectl get cc -w} saw: every distinct (step, Reconciling reason,
 * message, blockedBy) the CinderCluster's status went through, in order.
 */
final class StatusHistory implements AutoCloseable {

  /** One status as shown. */
  record Seen(String step, String phase, String reason, String message, String blockedBy) {}

  private final List<Seen> seen = new ArrayList<>();
  private final SharedIndexInformer<CinderCluster> informer;

  StatusHistory(KubernetesClient client, String namespace, String name) {
    informer =
        client
            .resources(CinderCluster.class)
            .inNamespace(namespace)
            .withName(name)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(CinderCluster cc) {
                    record(cc);
                  }

                  @Override
                  public void onUpdate(CinderCluster before, CinderCluster cc) {
                    record(cc);
                  }

                  @Override
                  public void onDelete(CinderCluster cc, boolean unknown) {}
                });
  }

  private synchronized void record(CinderCluster cc) {
    CinderClusterStatus st = cc.getStatus();
    if (st == null) {
      return;
    }
    var reconciling = Scenario.condition(st, "Reconciling").orElse(null);
    Seen s =
        new Seen(
            st.getUpgrade() == null || st.getUpgrade().getStep() == null
                ? null
                : st.getUpgrade().getStep().name(),
            st.getPhase() == null ? null : st.getPhase().name(),
            reconciling == null ? null : reconciling.getReason(),
            reconciling == null ? null : reconciling.getMessage(),
            st.getUpgrade() == null ? null : st.getUpgrade().getBlockedBy());
    if (seen.isEmpty() || !Objects.equals(seen.get(seen.size() - 1), s)) {
      seen.add(s);
    }
  }

  synchronized List<Seen> seen() {
    return new ArrayList<>(seen);
  }

  @Override
  public void close() {
    informer.close();
  }
}
