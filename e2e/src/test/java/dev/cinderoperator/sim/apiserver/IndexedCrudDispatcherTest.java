package dev.cinderoperator.sim.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The indexed store must answer exactly as Fabric8's stock CRUD dispatcher: the same script of
 * requests runs against both servers and the transcripts must be equal (and say what they should).
 */
class IndexedCrudDispatcherTest {

  @Test
  void answersEveryRequestAsTheStockDispatcherDoes() {
    List<String> stock = run(new KubernetesCrudDispatcher(List.of()));
    List<String> indexed = run(new IndexedCrudDispatcher());

    assertThat(indexed).isEqualTo(stock);
    assertThat(indexed)
        .contains(
            "get a/one: one v=1",
            "get a/missing: null",
            "list a: [one, two, three]",
            "list all: [one, two, three, one]",
            "list app=web in a: [one, three]",
            "list app exists, all: [one, two, three, one]",
            "list app!=web in a: [two]",
            "after update, list a: [two, three, one]",
            "delete a/two with a finalizer: deleting=true",
            "delete b/one: true, list all: [three, one, two]",
            "delete app=web in a, list a: [two]",
            "namespaces: [a, b]");
  }

  private static List<String> run(KubernetesCrudDispatcher dispatcher) {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init();
    try (KubernetesClient client = server.createClient()) {
      return script(client);
    } finally {
      server.destroy();
    }
  }

  private static List<String> script(KubernetesClient k) {
    List<String> out = new ArrayList<>();
    Function<List<? extends HasMetadata>, String> names =
        l -> l.stream().map(o -> o.getMetadata().getName()).toList().toString();
    for (String ns : List.of("a", "b")) {
      k.namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    k.resource(map("a", "one", Map.of("app", "web"))).create();
    k.resource(map("a", "two", Map.of("app", "db"))).create();
    k.resource(map("a", "three", Map.of("app", "web"))).create();
    k.resource(map("b", "one", Map.of("app", "web"))).create();

    ConfigMap one = k.configMaps().inNamespace("a").withName("one").get();
    out.add("get a/one: " + one.getMetadata().getName() + " v=" + one.getData().get("v"));
    out.add("get a/missing: " + k.configMaps().inNamespace("a").withName("missing").get());
    out.add("list a: " + names.apply(k.configMaps().inNamespace("a").list().getItems()));
    out.add("list all: " + names.apply(k.configMaps().inAnyNamespace().list().getItems()));
    out.add(
        "list app=web in a: "
            + names.apply(
                k.configMaps().inNamespace("a").withLabel("app", "web").list().getItems()));
    out.add(
        "list app exists, all: "
            + names.apply(k.configMaps().inAnyNamespace().withLabel("app").list().getItems()));
    out.add(
        "list app!=web in a: "
            + names.apply(
                k.configMaps().inNamespace("a").withoutLabel("app", "web").list().getItems()));

    k.configMaps()
        .inNamespace("a")
        .withName("one")
        .edit(
            c -> {
              c.getData().put("v", "2");
              return c;
            });
    out.add(
        "after update, list a: " + names.apply(k.configMaps().inNamespace("a").list().getItems()));

    k.configMaps()
        .inNamespace("a")
        .withName("two")
        .edit(
            c -> {
              c.getMetadata().setFinalizers(List.of("test/hold"));
              return c;
            });
    k.configMaps().inNamespace("a").withName("two").delete();
    ConfigMap held = k.configMaps().inNamespace("a").withName("two").get();
    out.add(
        "delete a/two with a finalizer: deleting="
            + (held != null && held.getMetadata().getDeletionTimestamp() != null));

    boolean deleted = !k.configMaps().inNamespace("b").withName("one").delete().isEmpty();
    out.add(
        "delete b/one: "
            + deleted
            + ", list all: "
            + names.apply(k.configMaps().inAnyNamespace().list().getItems()));

    k.configMaps().inNamespace("a").withLabel("app", "web").delete();
    out.add(
        "delete app=web in a, list a: "
            + names.apply(k.configMaps().inNamespace("a").list().getItems()));
    out.add("namespaces: " + names.apply(k.namespaces().list().getItems()));
    return out;
  }

  private static ConfigMap map(String namespace, String name, Map<String, String> labels) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .addToData("v", "1")
        .build();
  }
}
