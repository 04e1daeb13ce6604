package dev.cinderoperator.sim.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A watch resumed from a resourceVersion, as an informer resumes its watch every few minutes, hears
 * of the objects deleted since that version, as from a real API server; without it the informer
 * kept them for good.
 */
class WatchResumptionTest {

  @Test
  void aWatchResumedFromAVersionHearsOfTheDeletionsSinceThenButNotOfARecreatedName() {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new IndexedCrudDispatcher(),
            false);
    server.init();
    try (KubernetesClient client = server.createClient()) {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName("a").endMetadata().build())
          .create();
      var maps = client.configMaps().inNamespace("a");
      maps.resource(map("gone")).create();
      maps.resource(map("recreated")).create();
      maps.resource(map("deleted-before")).create();
      maps.withName("deleted-before").delete();
      String seen = maps.list().getMetadata().getResourceVersion();

      maps.withName("gone").delete();
      maps.withName("recreated").delete();
      maps.resource(map("recreated")).create();

      List<String> events = new CopyOnWriteArrayList<>();
      Watch watch =
          maps.watch(
              new ListOptionsBuilder().withResourceVersion(seen).build(),
              new Watcher<ConfigMap>() {
                @Override
                public void eventReceived(Action action, ConfigMap m) {
                  events.add(action + " " + m.getMetadata().getName());
                }

                @Override
                public void onClose(WatcherException cause) {}
              });
      try {
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(events).contains("DELETED gone", "ADDED recreated"));
      } finally {
        watch.close();
      }
      assertThat(events)
          .as("deletions after the watch's version only, none for a name stored again")
          .doesNotContain("DELETED recreated", "DELETED deleted-before");
    } finally {
      server.destroy();
    }
  }

  private static ConfigMap map(String name) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().build();
  }
}
