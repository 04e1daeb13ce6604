package dev.cinderoperator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.testing.Samples;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A status is derived from the copy of the cluster a reconcile read. It is written locked to that
 * copy's resourceVersion, so when the cluster changed since (a newer status written by another
 * reconcile, or by one still running in a stopped operator) the API server refuses it with 409 and
 * the recorded progress is not rolled back. JOSDK's PrimaryUpdateAndCacheUtils, used before,
 * re-applied the same status to the newer copy on a 409. (The simulated API server refuses a stale
 * status PUT as a real one does, see StrictApiServerTest.)
 */
@EnableKubernetesMockClient
class StatusWriteTest {
  KubernetesClient client;
  KubernetesMockServer server;

  @Test
  void aStatusRefusedAsStaleIsNotReappliedToTheNewerCopy() {
    StatusRecorder statuses =
        new StatusRecorder(
            client,
            Clock.systemUTC(),
            new EventRecorder(client, Clock.systemUTC()),
            OperatorMetrics.discarding());
    CinderCluster read = Samples.cluster("cinder", "ns");
    read.getMetadata().setResourceVersion("41");
    List<String> sentVersions = new CopyOnWriteArrayList<>();
    server
        .expect()
        .put()
        .withPath(
            "/apis/"
                + HasMetadata.getGroup(CinderCluster.class)
                + "/"
                + HasMetadata.getVersion(CinderCluster.class)
                + "/namespaces/ns/cinderclusters/cinder/status")
        .andReply(
            409,
            request -> {
              sentVersions.add(versionIn(request.getUtf8Body()));
              return new StatusBuilder().withCode(409).withReason("Conflict").build();
            })
        .always();
    CinderClusterStatus ready = new CinderClusterStatus();
    ready.setPhase(Phase.Ready);

    assertThatThrownBy(() -> statuses.replace(read, ready))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(sentVersions).containsExactly("41");
  }

  private static String versionIn(String json) {
    try {
      return new ObjectMapper().readTree(json).at("/metadata/resourceVersion").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
