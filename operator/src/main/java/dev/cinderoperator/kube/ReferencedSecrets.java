package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users' Secrets a CinderCluster names ({@code spec.database}, {@code spec.messaging}), each
 * watched by its name alone: an informer per referenced Secret ({@code fieldSelector
 * metadata.name}), started when the first cluster names it and stopped when none does. So the
 * operator caches only the Secrets it is told to read (plus its own, through a label-selected
 * informer), never every Secret of the namespaces it watches, and a change to one triggers a
 * reconcile of the clusters that name it.
 */
public final class ReferencedSecrets extends SimpleInboundEventSource<CinderCluster> {
  public static final String NAME = "referenced-secrets";
  private static final Logger LOG = LoggerFactory.getLogger(ReferencedSecrets.class);

  private record Key(String namespace, String name) {}

  private final KubernetesClient client;
  private final Map<Key, SharedIndexInformer<Secret>> informers = new ConcurrentHashMap<>();
  private final Map<Key, Set<ResourceID>> referrers = new HashMap<>();
  private final Map<ResourceID, Set<Key>> referenced = new HashMap<>();

  public ReferencedSecrets(KubernetesClient client) {
    super(NAME);
    this.client = client;
  }

  /**
   * Records the Secrets this cluster names: new ones are watched (this waits for their first list),
   * ones no live cluster names any more are let go.
   *
   * @param live whether a cluster still exists (clusters deleted since are forgotten here)
   */
  public synchronized void track(
      ResourceID cluster, Set<String> names, Predicate<ResourceID> live) {
    String ns = cluster.getNamespace().orElse("");
    Set<Key> wanted = new HashSet<>();
    names.forEach(n -> wanted.add(new Key(ns, n)));
    Set<Key> before = referenced.getOrDefault(cluster, Set.of());
    if (!before.equals(wanted)) {
      before.stream().filter(k -> !wanted.contains(k)).forEach(k -> release(k, cluster));
      wanted.stream()
          .filter(k -> !before.contains(k))
          .forEach(k -> referrers.computeIfAbsent(k, x -> new HashSet<>()).add(cluster));
      referenced.put(cluster, wanted);
    }
    for (ResourceID gone :
        referenced.keySet().stream().filter(c -> !c.equals(cluster) && !live.test(c)).toList()) {
      referenced.remove(gone).forEach(k -> release(k, gone));
    }
    wanted.forEach(this::watch);
  }

  /**
   * The Secret as its informer holds it; until that informer has synced (the first reconcile that
   * names it), read once from the API server. Empty when it does not exist or is not tracked.
   */
  public Optional<Secret> get(String namespace, String name) {
    SharedIndexInformer<Secret> informer = informers.get(new Key(namespace, name));
    if (informer == null) {
      return Optional.empty();
    }
    if (informer.hasSynced()) {
      return Optional.ofNullable(informer.getStore().getByKey(namespace + "/" + name));
    }
    return Optional.ofNullable(client.secrets().inNamespace(namespace).withName(name).get());
  }

  private void release(Key key, ResourceID cluster) {
    Set<ResourceID> who = referrers.get(key);
    if (who != null && who.remove(cluster) && who.isEmpty()) {
      referrers.remove(key);
      SharedIndexInformer<Secret> informer = informers.remove(key);
      if (informer != null) {
        informer.stop();
      }
    }
  }

  private void watch(Key key) {
    informers.computeIfAbsent(
        key,
        k -> {
          SharedIndexInformer<Secret> informer =
              client.secrets().inNamespace(k.namespace()).withName(k.name()).runnableInformer(0);
          informer.addEventHandler(
              new ResourceEventHandler<>() {
                @Override
                public void onAdd(Secret s) {
                  changed(k);
                }

                @Override
                public void onUpdate(Secret before, Secret after) {
                  changed(k);
                }

                @Override
                public void onDelete(Secret s, boolean finalStateUnknown) {
                  changed(k);
                }
              });
          informer.start();
          return informer;
        });
  }

  private void changed(Key key) {
    Set<ResourceID> who;
    synchronized (this) {
      who = Set.copyOf(referrers.getOrDefault(key, Set.of()));
    }
    if (isRunning()) {
      who.forEach(this::propagateEvent);
    }
  }

  @Override
  public synchronized void stop() {
    informers.values().forEach(SharedIndexInformer::stop);
    informers.clear();
    referrers.clear();
    referenced.clear();
    super.stop();
    LOG.debug("stopped watching referenced Secrets");
  }
}
