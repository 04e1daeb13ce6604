package dev.cinderoperator.sim.informers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import io.fabric8.kubernetes.client.informers.cache.Store;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The simulator's read-your-writes cache under the interleavings of a busy informer: its store
 * changes, then its handlers run, on the informer's thread, while a controller lists on its own.
 */
class ObjectCacheTest {

  /**
   * An informer whose store and handlers the test moves by hand; {@link #afterNextSnapshot} runs
   * right after the next {@code getStore().list()} copied the store, as the informer's thread would
   * when it adds an object while a controller is listing.
   */
  static final class HandMovedInformer {
    final Map<String, Pod> store = new LinkedHashMap<>();
    final List<ResourceEventHandler<Pod>> handlers = new ArrayList<>();
    Runnable afterNextSnapshot;

    /**
     * The informer receives the watch event: the store first, then the handlers (Fabric8's order).
     */
    void add(Pod pod) {
      store.put(pod.getMetadata().getUid(), pod);
      handlers.forEach(h -> h.onAdd(pod));
    }

    Indexer<Pod> indexer() {
      return ObjectCacheTest.indexer(store);
    }

    @SuppressWarnings("unchecked")
    SharedIndexInformer<Pod> informer() {
      Store<Pod> s =
          (Store<Pod>)
              Proxy.newProxyInstance(
                  Store.class.getClassLoader(),
                  new Class<?>[] {Store.class},
                  (proxy, method, args) -> {
                    if (method.getName().equals("list")) {
                      List<Pod> snapshot = new ArrayList<>(store.values());
                      Runnable next = afterNextSnapshot;
                      afterNextSnapshot = null;
                      if (next != null) {
                        next.run();
                      }
                      return snapshot;
                    }
                    throw new UnsupportedOperationException(method.getName());
                  });
      return (SharedIndexInformer<Pod>)
          Proxy.newProxyInstance(
              SharedIndexInformer.class.getClassLoader(),
              new Class<?>[] {SharedIndexInformer.class},
              (proxy, method, args) ->
                  switch (method.getName()) {
                    case "addEventHandler" -> {
                      handlers.add((ResourceEventHandler<Pod>) args[0]);
                      yield proxy;
                    }
                    case "getStore" -> s;
                    case "getIndexer" -> indexer();
                    case "close" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                  });
    }
  }

  /** The informer's index by controller kind, over the store as it is now. */
  @SuppressWarnings("unchecked")
  private static Indexer<Pod> indexer(Map<String, Pod> store) {
    return (Indexer<Pod>)
        Proxy.newProxyInstance(
            Indexer.class.getClassLoader(),
            new Class<?>[] {Indexer.class},
            (proxy, method, args) -> {
              if (method.getName().equals("byIndex")) {
                return store.values().stream()
                    .filter(p -> kindOf(p).contains((String) args[1]))
                    .toList();
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  private static List<String> kindOf(Pod pod) {
    return pod.getMetadata().getOwnerReferences() == null
        ? List.of()
        : pod.getMetadata().getOwnerReferences().stream().map(OwnerReference::getKind).toList();
  }

  private static Pod owned(Pod pod, String kind) {
    pod.getMetadata()
        .setOwnerReferences(
            List.of(new OwnerReferenceBuilder().withKind(kind).withController(true).build()));
    return pod;
  }

  private static Pod pod(String name, String uid, String resourceVersion) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("ns")
        .withUid(uid)
        .withResourceVersion(resourceVersion)
        .endMetadata()
        .build();
  }

  private static List<String> names(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).toList();
  }

  @Test
  void aPodTheSimulatorCreatedIsListedWhileTheInformerCatchesUpWithIt() {
    HandMovedInformer informer = new HandMovedInformer();
    Pod old = pod("api-old-1", "uid-old", "10");
    informer.add(old);
    ObjectCache<Pod> cache = new ObjectCache<>(informer.informer());

    // The Deployment controller creates its one surge pod; the API server answers with it.
    Pod surge = pod("api-new-1", "uid-surge", "17");
    cache.wrote(surge);
    // Its next pass lists while the informer receives the pod's ADDED event: the store copy is
    // taken before the add, the handlers (which retire the overlaid write) run before the overlay
    // is read. With 3,000 pods to copy that window is wide: the 100-cluster benchmark's second
    // surge pod and its ONE_DOWN_AT_A_TIME on the API.
    informer.afterNextSnapshot = () -> informer.add(surge);

    assertThat(names(cache.list())).containsExactlyInAnyOrder("api-old-1", "api-new-1");
    // and once the informer has it, from the informer
    assertThat(names(cache.list())).containsExactlyInAnyOrder("api-old-1", "api-new-1");
  }

  @Test
  void aNewerWriteOfTheSimulatorWinsOverTheInformersOlderCopyUntilItCatchesUp() {
    HandMovedInformer informer = new HandMovedInformer();
    Pod v1 = pod("web-0", "uid-web", "5");
    informer.add(v1);
    ObjectCache<Pod> cache = new ObjectCache<>(informer.informer());
    Pod v2 = pod("web-0", "uid-web", "9");
    v2.getMetadata().setLabels(Map.of("written", "by-us"));
    cache.wrote(v2);

    assertThat(cache.list()).singleElement().isSameAs(v2);
    informer.afterNextSnapshot = () -> informer.add(v2);
    assertThat(cache.list()).singleElement().isSameAs(v2);
    assertThat(cache.list()).singleElement().isSameAs(v2);
  }

  @Test
  void aControllersIndexedListShowsItsOwnNewPodAndNoneOfAnotherKindOrDeletedByIt() {
    HandMovedInformer informer = new HandMovedInformer();
    Pod scheduler = owned(pod("scheduler-0", "uid-s", "3"), "StatefulSet");
    Pod oldApi = owned(pod("api-old-1", "uid-old", "4"), "Deployment");
    informer.add(scheduler);
    informer.add(oldApi);
    ObjectCache<Pod> cache =
        new ObjectCache<>(informer.informer(), Map.of("kind", ObjectCacheTest::kindOf));

    cache.wrote(owned(pod("api-new-1", "uid-new", "9"), "Deployment"));
    cache.wrote(owned(pod("backup-0", "uid-b", "10"), "StatefulSet"));
    cache.deleted(oldApi);

    assertThat(names(cache.list("kind", "Deployment"))).containsExactly("api-new-1");
    assertThat(names(cache.list("kind", "StatefulSet")))
        .containsExactlyInAnyOrder("scheduler-0", "backup-0");
  }

  @Test
  void aPodTheSimulatorDeletedIsNotListedThoughTheInformerStillHasIt() {
    HandMovedInformer informer = new HandMovedInformer();
    Pod pod = pod("api-old-1", "uid-old", "10");
    informer.add(pod);
    ObjectCache<Pod> cache = new ObjectCache<>(informer.informer());
    cache.deleted(pod);

    assertThat(cache.list()).isEmpty();
  }
}
