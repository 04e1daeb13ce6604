package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.ServiceStatus;
import dev.cinderoperator.cinder.ServicesTable;
import dev.cinderoperator.db.DatabaseUnavailableException;
import dev.cinderoperator.db.ServiceRegistry;
import dev.cinderoperator.db.ServicesSnapshot;
import dev.cinderoperator.upgrade.PodView;
import dev.cinderoperator.workload.ServiceHosts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads of each cluster's services table, by {@code namespace/name}. Only a quiet cluster (nothing
 * under way) reuses a read younger than the idle poll interval: every upgrade decision (a check
 * passed, a gate opened) rests on the table as it is now.
 */
final class ServicesTableReads {
  private static final Logger LOG = LoggerFactory.getLogger(ServicesTableReads.class);

  private record Cached(ServicesSnapshot snapshot, Instant readAt) {}

  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration reuseFor;

  ServicesTableReads(Clock clock, Duration reuseFor) {
    this.clock = clock;
    this.reuseFor = reuseFor;
  }

  static String key(CinderCluster cc) {
    return cc.getMetadata().getNamespace() + "/" + cc.getMetadata().getName();
  }

  /** The table, or empty when the database cannot be reached. */
  Optional<ServicesSnapshot> read(String key, ServiceRegistry registry, boolean quiet) {
    Instant now = Instant.now(clock);
    Cached cached = quiet ? cache.get(key) : null;
    if (cached != null && Duration.between(cached.readAt(), now).compareTo(reuseFor) < 0) {
      return Optional.of(cached.snapshot());
    }
    try {
      ServicesSnapshot s = registry.read();
      cache.put(key, new Cached(s, now));
      return Optional.of(s);
    } catch (DatabaseUnavailableException e) {
      LOG.warn("services table unavailable: {}", e.getMessage());
      cache.remove(key);
      return Optional.empty();
    }
  }

  /** The next read must be fresh: an act changed what the table will say. */
  void invalidate(String key) {
    cache.remove(key);
  }

  int heldFor(String key) {
    return cache.containsKey(key) ? 1 : 0;
  }

  /**
   * Puts the services table into status.services, read now.
   *
   * @return false when the table cannot be read (status.services is left as it was)
   */
  boolean recordNow(
      CinderCluster cc, List<PodView> pods, CinderClusterStatus status, ServiceRegistry registry) {
    Optional<ServicesSnapshot> snapshot = read(key(cc), registry, false);
    Duration downTime = ServicesTable.serviceDownTime(cc.getSpec().configOrEmpty());
    snapshot.ifPresent(
        s -> status.setServices(asStatus(cc.getMetadata().getName(), s, pods, downTime)));
    return snapshot.isPresent();
  }

  /** status.services from the cluster's rows and the hosts of the pods that are not going. */
  static List<ServiceStatus> asStatus(
      String cluster, ServicesSnapshot s, List<PodView> pods, Duration downTime) {
    return ServicesTable.toStatus(
        s.rows(), ServiceHosts.ownedBy(cluster), liveHosts(pods), s.databaseNow(), downTime);
  }

  private static Set<String> liveHosts(List<PodView> pods) {
    Set<String> hosts = new HashSet<>();
    for (PodView p : pods) {
      if (p.terminating()) {
        continue;
      }
      hosts.add(p.name());
      if (p.backend() != null) {
        hosts.add(p.name() + "@" + p.backend());
      }
    }
    return hosts;
  }
}
