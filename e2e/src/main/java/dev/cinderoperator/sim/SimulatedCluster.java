package dev.cinderoperator.sim;

import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.db.ServiceRegistry;
import dev.cinderoperator.kube.ExecPodSignaller;
import dev.cinderoperator.kube.PodSignaller;
import dev.cinderoperator.messaging.SchedulerBus;
import dev.cinderoperator.sim.cinder.SimulatedCinderRuntime;
import dev.cinderoperator.sim.controllers.DeploymentController;
import dev.cinderoperator.sim.controllers.JobController;
import dev.cinderoperator.sim.controllers.StatefulSetController;
import dev.cinderoperator.sim.db.InMemoryDatabases;
import dev.cinderoperator.sim.db.InMemoryServicesTable;
import dev.cinderoperator.sim.db.SimDatabases;
import dev.cinderoperator.sim.db.SimServicesTable;
import dev.cinderoperator.sim.events.SimEvent.ServiceRowEvent;
import dev.cinderoperator.sim.events.SimEventLog;
import dev.cinderoperator.sim.informers.ControlLoop;
import dev.cinderoperator.sim.informers.SimCaches;
import dev.cinderoperator.sim.invariants.InvariantChecker;
import dev.cinderoperator.sim.node.Kubelet;
import dev.cinderoperator.sim.node.PodTerminations;
import dev.cinderoperator.sim.node.ServiceProxy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The half of a cluster the Fabric8 mock server lacks: StatefulSet, Deployment and Job controllers,
 * a kubelet, and the simulated Cinder runtime with one in-memory services table per CinderCluster.
 * Everything talks to the API server through the given client only. Works the same from a JUnit
 * test and from the demo.
 *
 * <pre>{@code
 * try (var sim = SimulatedCluster.start(server.createClient(), SimConfig.fast())) {
 *   // operator: sim.serviceRegistry(ns, cluster), sim.podSignaller()
 *   ...
 *   assertThat(sim.invariants().violations()).isEmpty();
 * }
 * }</pre>
 */
public final class SimulatedCluster implements AutoCloseable {
  private final KubernetesClient client;
  private final SimConfig config;
  private final SimEventLog recorder = new SimEventLog();
  private final PodTerminations terminations = new PodTerminations();
  private final SimCaches caches;
  private final SimDatabases databases;
  private final SimulatedCinderRuntime cinder;
  private final InvariantChecker invariants;
  private final Kubelet kubelet;
  private final StatefulSetController statefulSets;
  private final DeploymentController deployments;
  private final JobController jobs;
  private ServiceProxy serviceProxy;

  private SimulatedCluster(
      KubernetesClient client,
      SimConfig config,
      ReleaseCatalog catalog,
      Function<Consumer<ServiceRowEvent>, SimDatabases> databasesFactory) {
    this.client = client;
    this.config = config;
    this.databases = databasesFactory.apply(recorder::record);
    this.cinder = new SimulatedCinderRuntime(client, this.databases, catalog, config);
    this.invariants =
        new InvariantChecker(cinder::releaseOf, this.databases::peek, cinder::processes);
    recorder.addListener(invariants);
    this.caches = new SimCaches(client, config.namespace());
    this.kubelet = new Kubelet(client, config, recorder, terminations, caches);
    kubelet.useRuntime(SimulatedCinderRuntime.CINDER_IMAGES, cinder);
    this.statefulSets = new StatefulSetController(client, config, terminations, caches);
    this.deployments = new DeploymentController(client, config, caches);
    this.jobs = new JobController(client, config, caches);
  }

  /** Starts the controllers and the kubelet against the API server the client talks to. */
  public static SimulatedCluster start(KubernetesClient client, SimConfig config) {
    return start(client, config, ReleaseCatalog.standard());
  }

  public static SimulatedCluster start(
      KubernetesClient client, SimConfig config, ReleaseCatalog catalog) {
    return start(client, config, catalog, events -> new InMemoryDatabases(config.clock(), events));
  }

  /**
   * With other databases than the in-memory ones (e.g. a real MariaDB); the factory gets the sink
   * for the service row events the recorder and the invariant checker need.
   */
  public static SimulatedCluster start(
      KubernetesClient client,
      SimConfig config,
      ReleaseCatalog catalog,
      Function<Consumer<ServiceRowEvent>, SimDatabases> databases) {
    SimulatedCluster cluster = new SimulatedCluster(client, config, catalog, databases);
    cluster.kubelet.start();
    cluster.statefulSets.start();
    cluster.deployments.start();
    cluster.jobs.start();
    return cluster;
  }

  public KubernetesClient client() {
    return client;
  }

  public SimConfig config() {
    return config;
  }

  /** Start delays, withheld readiness, crash loops, container restarts, signals. */
  public Kubelet kubelet() {
    return kubelet;
  }

  /**
   * The kube-proxy for Services whose pods really serve (started on first use): a loopback port per
   * Service port, forwarding to the Ready pods' endpoints.
   */
  public synchronized ServiceProxy serviceProxy() {
    if (serviceProxy == null) {
      serviceProxy = new ServiceProxy(client, config, caches, kubelet);
      serviceProxy.start();
    }
    return serviceProxy;
  }

  /** The simulated Cinder: processes, pins, job failures on demand. */
  public SimulatedCinderRuntime cinder() {
    return cinder;
  }

  public SimEventLog recorder() {
    return recorder;
  }

  public InvariantChecker invariants() {
    return invariants;
  }

  public PodTerminations terminations() {
    return terminations;
  }

  /**
   * The in-memory services table of one CinderCluster (outage, in-flight backups, stale rows).
   *
   * @throws IllegalStateException when the cluster was started with other databases
   */
  public InMemoryServicesTable servicesTable(String namespace, String cluster) {
    return inMemory().servicesTable(namespace, cluster);
  }

  /** The services table the simulated processes of one CinderCluster write, whatever backs it. */
  public SimServicesTable simServicesTable(String namespace, String cluster) {
    return databases.servicesTable(namespace, cluster);
  }

  /** What the operator under test reads the cluster's in-memory services table through. */
  public ServiceRegistry serviceRegistry(String namespace, String cluster) {
    return inMemory().servicesTable(namespace, cluster);
  }

  private InMemoryDatabases inMemory() {
    if (databases instanceof InMemoryDatabases m) {
      return m;
    }
    throw new IllegalStateException(
        "this simulated cluster writes its services rows into "
            + databases.getClass().getSimpleName()
            + ", not memory: read them through that database");
  }

  /** The databases the simulated processes write (services rows, backups). */
  public SimDatabases databases() {
    return databases;
  }

  /** What the operator under test tells one cluster's schedulers through (no RabbitMQ here). */
  public SchedulerBus schedulerBus(String namespace, String cluster) {
    return cinder.backups().bus(namespace, cluster);
  }

  /**
   * What the operator under test sends SIGHUP through: the operator's own signaller, its commands
   * run by the kubelet's exec (the mock server has none).
   */
  public PodSignaller podSignaller() {
    return new ExecPodSignaller(kubelet.podExec());
  }

  /** Stops the controllers, the kubelet and every process; the client stays open. */
  @Override
  public void close() {
    List<ControlLoop> loops = List.of(jobs, deployments, statefulSets, kubelet);
    loops.forEach(ControlLoop::stopLoop);
    synchronized (this) {
      if (serviceProxy != null) {
        serviceProxy.close();
      }
    }
    cinder.close();
    // after every loop has stopped writing: the mock server blocks its event loop while a watch
    // closes with events still in flight
    caches.close();
    if (databases instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        // connections to a test database: nothing left to save
      }
    }
  }
}
