package dev.cinderoperator.sim;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.db.ServiceRegistry;
import dev.cinderoperator.db.ServiceRegistryPool;
import dev.cinderoperator.kube.CinderOperator;
import dev.cinderoperator.kube.ClusterDriver;
import dev.cinderoperator.kube.LeaseSettings;
import dev.cinderoperator.kube.OperatorMetrics;
import dev.cinderoperator.kube.OperatorSettings;
import dev.cinderoperator.kube.PodSignaller;
import dev.cinderoperator.kube.UnreadableClusters;
import dev.cinderoperator.messaging.BackupFences;
import dev.cinderoperator.sim.apiserver.ApiCallRecorder;
import dev.cinderoperator.sim.apiserver.CrudApiServer;
import dev.cinderoperator.sim.db.InMemoryDatabases;
import dev.cinderoperator.sim.db.SimDatabases;
import dev.cinderoperator.sim.events.PodRemovals;
import dev.cinderoperator.sim.events.SimEvent.ServiceRowEvent;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A whole cluster in one process: the mock API server, the simulated controllers, kubelet and
 * Cinder, and the operator with its own client (so its API calls can be recorded). Used by the
 * end-to-end tests, the demo and the benchmarks.
 */
public final class SimulatedEnvironment implements AutoCloseable {
  public static final String DB_URL = "mysql+pymysql://cinder:sim-db-pw@mariadb.sim:3306/cinder";
  public static final String TRANSPORT_URL = "rabbit://cinder:sim-mq-pw@rabbitmq.sim:5672/";

  /**
   * The User-Agent prefix of the operator's clients (the audit log and the fault rules tell them by
   * it); each operator process adds "/" and its identity.
   */
  public static final String OPERATOR_AGENT = "cinder-operator";

  /** The User-Agent of the simulated controllers, kubelet and the scenarios' own reads. */
  public static final String SIMULATION_AGENT = "simulated-cluster";

  private final CrudApiServer server;
  private final io.fabric8.kubernetes.client.Config serverConfig;
  private final KubernetesClient client;
  private KubernetesClient operatorClient;
  private final SimulatedCluster sim;
  private final ApiCallRecorder calls = new ApiCallRecorder();
  private final OperatorSettings settings;
  private final Wiring wiring;
  private final MeterRegistry meters = new SimpleMeterRegistry();
  private final Hooks hooks;
  private Operator operator;
  private dev.cinderoperator.kube.CinderClusterReconciler reconciler;
  private final Map<String, String> heldUids = new java.util.concurrent.ConcurrentHashMap<>();
  private ServiceRegistryPool registries;
  private BackupFences fences;

  /** The simulated backup services report every 30 s; the operator repeats within 100 ms. */
  static final java.time.Duration SIM_FENCE_INTERVAL = java.time.Duration.ofMillis(100);

  /**
   * What backs the environment besides the simulated controllers.
   *
   * @param catalog the releases the operator and the simulated Cinder know
   * @param databases builds the databases the simulated processes write (given the row event sink)
   * @param registries builds the operator's registry pool at each operator start; null for the
   *     in-memory tables of the simulated cluster
   * @param cluster adjusts the simulated cluster before the operator starts (e.g. another runtime)
   * @param fences builds the operator's backup fences at each operator start (over a real
   *     RabbitMQ); null for the simulated schedulers
   * @param operatorClient adjusts the operator's client configuration (e.g. fewer retries, so an
   *     injected fault reaches the operator instead of the client's own retry absorbing it)
   */
  public record Wiring(
      ReleaseCatalog catalog,
      Function<Consumer<ServiceRowEvent>, SimDatabases> databases,
      Supplier<ServiceRegistryPool> registries,
      Consumer<SimulatedCluster> cluster,
      Supplier<BackupFences> fences,
      UnaryOperator<ConfigBuilder> operatorClient) {

    public Wiring(
        ReleaseCatalog catalog,
        Function<Consumer<ServiceRowEvent>, SimDatabases> databases,
        Supplier<ServiceRegistryPool> registries,
        Consumer<SimulatedCluster> cluster) {
      this(catalog, databases, registries, cluster, null, UnaryOperator.identity());
    }

    /** With the operator's backup fences built by {@code fences}. */
    public Wiring(
        ReleaseCatalog catalog,
        Function<Consumer<ServiceRowEvent>, SimDatabases> databases,
        Supplier<ServiceRegistryPool> registries,
        Consumer<SimulatedCluster> cluster,
        Supplier<BackupFences> fences) {
      this(catalog, databases, registries, cluster, fences, UnaryOperator.identity());
    }

    /** The same, with the operator's client configured by {@code tuning}. */
    public Wiring withOperatorClient(UnaryOperator<ConfigBuilder> tuning) {
      return new Wiring(catalog, databases, registries, cluster, fences, tuning);
    }

    /** In-memory services tables and the standard catalog: the demo and the fast tests. */
    public static Wiring inMemory(SimConfig config) {
      return new Wiring(
          ReleaseCatalog.standard(),
          events -> new InMemoryDatabases(config.clock(), events),
          null,
          sim -> {});
    }
  }

  /**
   * What a benchmark observes the operator through; {@link #NONE} for tests.
   *
   * @param josdkMetrics handed to JOSDK (e.g. to time every reconcile)
   * @param registries wraps each services-table registry the pool hands the operator (e.g. to count
   *     queries)
   */
  public record Hooks(Metrics josdkMetrics, UnaryOperator<ServiceRegistry> registries) {
    public static final Hooks NONE = new Hooks(Metrics.NOOP, UnaryOperator.identity());
  }

  private SimulatedEnvironment(
      SimConfig config, OperatorSettings settings, Wiring wiring, Hooks hooks) {
    this.settings = settings;
    this.wiring = wiring;
    this.hooks = hooks;
    server = CrudApiServer.started();
    try (KubernetesClient c = server.createClient()) {
      serverConfig = c.getConfiguration();
    }
    client = clientAs(SIMULATION_AGENT, UnaryOperator.identity());
    client.resource(CinderClusterCrd.generated()).create();
    sim = SimulatedCluster.start(client, config, wiring.catalog(), wiring.databases());
    wiring.cluster().accept(sim);
    PodRemovals removals = new PodRemovals(a -> a.startsWith(OPERATOR_AGENT), config.clock());
    server.onPodRemoval(r -> sim.recorder().record(removals.event(r)));
  }

  /** The configuration of an operator process's client: its User-Agent and the wiring's tuning. */
  public io.fabric8.kubernetes.client.Config operatorConfig(String identity) {
    return wiring
        .operatorClient()
        .apply(new ConfigBuilder(serverConfig).withUserAgent(OPERATOR_AGENT + "/" + identity))
        .build();
  }

  /** A client of the simulated API server that identifies itself as {@code agent}. */
  public KubernetesClient clientAs(String agent, UnaryOperator<ConfigBuilder> tuning) {
    return new KubernetesClientBuilder()
        .withConfig(tuning.apply(new ConfigBuilder(serverConfig).withUserAgent(agent)).build())
        .build();
  }

  public static SimulatedEnvironment start(SimConfig config, OperatorSettings settings) {
    return start(config, settings, Wiring.inMemory(config), Hooks.NONE);
  }

  /** With other databases, registries, catalog or runtime (the JDBC and real-Cinder tiers). */
  public static SimulatedEnvironment start(
      SimConfig config, OperatorSettings settings, Wiring wiring) {
    return start(config, settings, wiring, Hooks.NONE);
  }

  /** In memory, observed through the hooks (the benchmarks). */
  public static SimulatedEnvironment start(
      SimConfig config, OperatorSettings settings, Hooks hooks) {
    return start(config, settings, Wiring.inMemory(config), hooks);
  }

  public static SimulatedEnvironment start(
      SimConfig config, OperatorSettings settings, Wiring wiring, Hooks hooks) {
    SimulatedEnvironment env = new SimulatedEnvironment(config, settings, wiring, hooks);
    try {
      env.startOperator();
    } catch (RuntimeException e) {
      env.close();
      throw e;
    }
    return env;
  }

  /** Starts (or restarts, after {@link #stopOperator()}) the operator. */
  public synchronized void startOperator() {
    ResponsiveApiServer.await(client);
    registries =
        wiring.registries() != null
            ? wiring.registries().get()
            : new ServiceRegistryPool((ns, name, url) -> registryFor(ns, name));
    fences =
        wiring.fences() != null
            ? wiring.fences().get()
            : new BackupFences(
                (ns, name, url, ssl) -> sim.schedulerBus(ns, name),
                Clock.systemUTC(),
                SIM_FENCE_INTERVAL);
    // each start is a new process with its own connections; stopOperator closes them, so a
    // reconcile still running in the stopped one cannot write, as a killed process cannot
    operatorClient =
        UnreadableClusters.clientBuilder()
            .withConfig(operatorConfig("0"))
            .withHttpClientBuilderConsumer(calls.install())
            .build();
    CinderOperator.Built built =
        buildOperator(operatorClient, registries, fences, sim.podSignaller(), null);
    operator = built.operator();
    reconciler = built.reconciler();
    operator.start();
  }

  /**
   * Starts one more operator process that elects a leader through the Lease of {@code lease}
   * (several can run beside each other; stop the default one with {@link #stopOperator()} first).
   */
  public OperatorReplica startReplica(LeaseSettings lease) {
    OperatorReplica r = new OperatorReplica(this, lease);
    replicas.add(r);
    return r;
  }

  private final List<OperatorReplica> replicas = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Builds an operator process (not started) on {@code c}, acting through the collaborators. */
  CinderOperator.Built buildOperator(
      KubernetesClient c,
      ServiceRegistryPool pool,
      BackupFences fencing,
      PodSignaller signaller,
      LeaderElectionConfiguration leaderElection) {
    return CinderOperator.build(
        c,
        Clock.systemUTC(),
        settings,
        s -> new ClusterDriver.Collaborators(pool, fencing, signaller, new OperatorMetrics(meters)),
        hooks.josdkMetrics(),
        leaderElection,
        wiring.catalog());
  }

  /** A cluster's services table as the operator reads it (through the benchmark's hook). */
  ServiceRegistry registryFor(String namespace, String cluster) {
    return hooks.registries().apply(sim.serviceRegistry(namespace, cluster));
  }

  /**
   * What the running operator holds in memory for a cluster, by holder (database registry, metrics,
   * caches, announced jobs, applied objects): all 0 once the cluster is deleted.
   */
  public synchronized Map<String, Integer> operatorHeldFor(String namespace, String name) {
    CinderCluster probe = new CinderCluster();
    probe.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withNamespace(namespace)
            .withName(name)
            .withUid(heldUids.get(namespace + "/" + name))
            .build());
    return reconciler.heldFor(probe);
  }

  /** Remembers a cluster's uid, so {@link #operatorHeldFor} can be asked after it is gone. */
  public void rememberUid(CinderCluster cc) {
    heldUids.put(
        cc.getMetadata().getNamespace() + "/" + cc.getMetadata().getName(),
        cc.getMetadata().getUid());
  }

  /** Stops the operator as a crash would look to the cluster: mid-reconcile, nothing cleaned. */
  public synchronized void stopOperator() {
    if (operator != null) {
      operator.stop();
      operator = null;
    }
    if (operatorClient != null) {
      operatorClient.close();
      operatorClient = null;
    }
    if (registries != null) {
      registries.close();
      registries = null;
    }
    if (fences != null) {
      fences.close();
      fences = null;
    }
  }

  public void createSecrets(String namespace) {
    createSecrets(namespace, DB_URL, TRANSPORT_URL);
  }

  /** The Secrets {@code cinder-db/connection} and {@code cinder-rabbitmq/transport_url}. */
  public void createSecrets(String namespace, String databaseUrl, String transportUrl) {
    for (Map.Entry<String, Map<String, String>> s :
        Map.of(
                "cinder-db", Map.of("connection", databaseUrl),
                "cinder-rabbitmq", Map.of("transport_url", transportUrl))
            .entrySet()) {
      client
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName(s.getKey())
                  .withNamespace(namespace)
                  .endMetadata()
                  .withStringData(s.getValue())
                  .build())
          .createOr(r -> r.update());
    }
  }

  /**
   * Edits the spec as {@code kubectl edit} would, again on a conflict with the operator's status
   * writes (the edit carries the resourceVersion it read).
   */
  public void editSpec(
      String namespace, String name, java.util.function.Consumer<CinderClusterSpec> change) {
    dev.cinderoperator.kube.Conflicts.editSpec(client, namespace, name, change);
  }

  public CinderCluster get(String namespace, String name) {
    return client.resources(CinderCluster.class).inNamespace(namespace).withName(name).get();
  }

  public KubernetesClient client() {
    return client;
  }

  /** The simulated API server: its fault injector and audit log. */
  public CrudApiServer server() {
    return server;
  }

  public SimulatedCluster sim() {
    return sim;
  }

  public ApiCallRecorder calls() {
    return calls;
  }

  public MeterRegistry meters() {
    return meters;
  }

  @Override
  public void close() {
    replicas.forEach(OperatorReplica::stop);
    stopOperator();
    sim.close();
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // The mock server's event loop can be slow to stop on a loaded machine; nothing is lost.
      System.err.println("mock API server shutdown was slow: " + e.getMessage());
    }
  }
}
