package dev.cinderoperator.e2e;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.db.ServiceRegistry;
import dev.cinderoperator.db.ServiceRegistryPool;
import dev.cinderoperator.kube.CinderOperator;
import dev.cinderoperator.kube.ClusterDriver;
import dev.cinderoperator.kube.OperatorMetrics;
import dev.cinderoperator.kube.OperatorSettings;
import dev.cinderoperator.sim.ApiCallRecorder;
import dev.cinderoperator.sim.CrudApiServer;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.SimulatedCluster;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.time.Clock;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A whole cluster in one process: the mock API server, the simulated controllers, kubelet and
 * Cinder, and the operator with its own client (so its API calls can be recorded). Used by the
 * end-to-end tests, the demo and the benchmarks.
 */
public final class SimulatedEnvironment implements AutoCloseable {
  public static final String DB_URL = "mysql+pymysql://cinder:sim-db-pw@mariadb.sim:3306/cinder";
  public static final String TRANSPORT_URL = "rabbit://cinder:sim-mq-pw@rabbitmq.sim:5672/";

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final KubernetesClient operatorClient;
  private final SimulatedCluster sim;
  private final ApiCallRecorder calls = new ApiCallRecorder();
  private final OperatorSettings settings;
  private final MeterRegistry meters = new SimpleMeterRegistry();
  private final Hooks hooks;
  private Operator operator;

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

  private SimulatedEnvironment(SimConfig config, OperatorSettings settings, Hooks hooks) {
    this.settings = settings;
    this.hooks = hooks;
    server = CrudApiServer.start();
    client = server.createClient();
    client.resource(crd()).create();
    sim = SimulatedCluster.start(client, config);
    operatorClient = calls.recordingClient(server.createClient().getConfiguration());
  }

  public static SimulatedEnvironment start(SimConfig config, OperatorSettings settings) {
    return start(config, settings, Hooks.NONE);
  }

  public static SimulatedEnvironment start(
      SimConfig config, OperatorSettings settings, Hooks hooks) {
    SimulatedEnvironment env = new SimulatedEnvironment(config, settings, hooks);
    env.startOperator();
    return env;
  }

  /** Starts (or restarts, after {@link #stopOperator()}) the operator. */
  public synchronized void startOperator() {
    operator =
        CinderOperator.create(
            operatorClient,
            Clock.systemUTC(),
            settings,
            s ->
                new ClusterDriver.Collaborators(
                    new ServiceRegistryPool(
                        (ns, name, url) -> hooks.registries().apply(sim.serviceRegistry(ns, name))),
                    sim.podSignaller(),
                    new OperatorMetrics(meters)),
            hooks.josdkMetrics(),
            null);
    operator.start();
  }

  /** Stops the operator as a crash would look to the cluster: mid-reconcile, nothing cleaned. */
  public synchronized void stopOperator() {
    if (operator != null) {
      operator.stop();
      operator = null;
    }
  }

  public void createSecrets(String namespace) {
    for (Map.Entry<String, Map<String, String>> s :
        Map.of(
                "cinder-db", Map.of("connection", DB_URL),
                "cinder-rabbitmq", Map.of("transport_url", TRANSPORT_URL))
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

  public CinderCluster get(String namespace, String name) {
    return client.resources(CinderCluster.class).inNamespace(namespace).withName(name).get();
  }

  public KubernetesClient client() {
    return client;
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

  private static CustomResourceDefinition crd() {
    try (InputStream in =
        SimulatedEnvironment.class.getResourceAsStream(
            "/META-INF/fabric8/cinderclusters.cinder.operator.dev-v1.yml")) {
      if (in == null) {
        throw new IllegalStateException("the generated CRD is not on the classpath");
      }
      return io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
          in, CustomResourceDefinition.class);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    stopOperator();
    sim.close();
    operatorClient.close();
    client.close();
    server.destroy();
  }
}
