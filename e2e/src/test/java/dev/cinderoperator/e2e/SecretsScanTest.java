package dev.cinderoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.sim.SimulatedEnvironment;
import dev.cinderoperator.sim.apiserver.CrudApiServer;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scan finds a password wherever it leaked, and leaves the Secrets themselves alone. */
class SecretsScanTest {

  @Test
  void findsAPasswordInAnEventAConfigMapAndALogLine() {
    CrudApiServer server = CrudApiServer.started();
    try (KubernetesClient client = server.createClient()) {
      client
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("cinder-db")
                  .withNamespace("openstack")
                  .endMetadata()
                  .withStringData(Map.of("connection", SimulatedEnvironment.DB_URL))
                  .build())
          .create();
      client
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName("cinder.1")
                  .withNamespace("openstack")
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withName("cinder")
                  .endInvolvedObject()
                  .withReason("Oops")
                  .withMessage("cannot connect as cinder:sim-db-pw")
                  .build())
          .create();
      client
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("leaky")
                  .withNamespace("openstack")
                  .endMetadata()
                  .withData(Map.of("cinder.conf", "connection = " + SimulatedEnvironment.DB_URL))
                  .build())
          .create();

      List<String> leaks =
          SecretsScan.leaks(client, List.of("kube retrying with password sim-db-pw", "all fine"));

      assertThat(leaks)
          .anyMatch(l -> l.startsWith("Event Oops on cinder"))
          .anyMatch(l -> l.startsWith("ConfigMap leaky"))
          .anyMatch(l -> l.startsWith("log line"))
          .noneMatch(l -> l.contains("all fine"));
    } finally {
      server.destroy();
    }
  }
}
