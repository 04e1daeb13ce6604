package dev.cinderoperator.cli;

import dev.cinderoperator.api.Durations;
import dev.cinderoperator.kube.CinderOperator;
import dev.cinderoperator.kube.Collaborations;
import dev.cinderoperator.kube.HealthServer;
import dev.cinderoperator.kube.OperatorSettings;
import dev.cinderoperator.kube.UnreadableClusters;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the operator against the cluster of the current kubeconfig or the in-cluster config. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the operator.")
public final class RunCommand implements Callable<Integer> {
  @Option(
      names = "--watch-namespaces",
      defaultValue = "${env:WATCH_NAMESPACES:-}",
      description = "Comma-separated namespaces to watch; empty: all. Env WATCH_NAMESPACES.")
  String watchNamespaces;

  @Option(
      names = "--leader-election",
      defaultValue = "${env:LEADER_ELECTION_ENABLED:-true}",
      arity = "1",
      description =
          "Elect one active replica (Lease cinder-operator-lease). Env LEADER_ELECTION_ENABLED.")
  boolean leaderElection;

  @Option(
      names = "--leader-election-namespace",
      defaultValue = "${env:LEADER_ELECTION_NAMESPACE:-}",
      description = "Namespace of the Lease; default: the client's namespace.")
  String leaseNamespace;

  @Option(
      names = "--reconcile-threads",
      defaultValue = "${env:RECONCILE_THREADS:-5}",
      description = "Concurrent reconciles (1-100). Env RECONCILE_THREADS.")
  int reconcileThreads;

  @Option(
      names = "--db-poll-interval",
      defaultValue = "${env:DB_POLL_INTERVAL:-15s}",
      description =
          "How often the services table is read while work waits on it. Env DB_POLL_INTERVAL.")
  String dbPollInterval;

  @Option(
      names = "--http-port",
      defaultValue = "${env:HTTP_PORT:-8080}",
      description = "Port of /healthz, /readyz and /metrics. Env HTTP_PORT.")
  int httpPort;

  @Option(
      names = "--unpin-by-signal",
      defaultValue = "${env:UNPIN_BY_SIGNAL:-true}",
      arity = "1",
      description =
          "SIGHUP services to drop pins (needs pods/exec); false: restart them. Env UNPIN_BY_SIGNAL.")
  boolean unpinBySignal;

  @Option(
      names = "--log-format",
      defaultValue = "${env:LOG_FORMAT:-text}",
      description = "text or json.")
  String logFormat;

  @Option(
      names = "--log-level",
      defaultValue = "${env:LOG_LEVEL:-info}",
      description = "Log level.")
  String logLevel;

  @Override
  public Integer call() throws Exception {
    if (!logFormat.equals("text") && !logFormat.equals("json")) {
      System.err.println("--log-format must be text or json, not '" + logFormat + "'");
      return 2;
    }
    // Before the first logger is created, so log4j2.xml picks them up.
    System.setProperty("cinder.logFormat", logFormat);
    System.setProperty("cinder.logLevel", logLevel.toUpperCase(java.util.Locale.ROOT));
    Duration poll =
        Durations.parse(dbPollInterval)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "--db-poll-interval '" + dbPollInterval + "' is not a duration like 15s"));
    if (reconcileThreads < 1 || reconcileThreads > 100) {
      System.err.println("--reconcile-threads must be between 1 and 100");
      return 2;
    }
    Set<String> namespaces =
        Arrays.stream(watchNamespaces.split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toSet());
    OperatorSettings settings =
        new OperatorSettings(
            namespaces,
            reconcileThreads,
            poll,
            Duration.ofSeconds(Math.max(60, poll.toSeconds())),
            Duration.ofMinutes(5),
            unpinBySignal);

    KubernetesClient client = UnreadableClusters.clientBuilder().build();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    var metrics =
        MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(registry).build();
    LeaderElectionConfiguration leader =
        leaderElection
            ? new LeaderElectionConfiguration(
                "cinder-operator-lease", leaseNamespace.isBlank() ? null : leaseNamespace)
            : null;
    Operator operator =
        CinderOperator.create(
            client,
            Clock.systemUTC(),
            settings,
            s -> Collaborations.production(client, s, registry),
            metrics,
            leader);
    try (HealthServer health =
        new HealthServer(
            httpPort,
            () -> operator.getRuntimeInfo().allEventSourcesAreHealthy(),
            () -> operator.getRuntimeInfo().isStarted(),
            registry::scrape)) {
      org.slf4j.LoggerFactory.getLogger(RunCommand.class)
          .info("health and metrics on port {}", health.port());
      operator.start();
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    operator.stop();
                    stop.countDown();
                  }));
      stop.await();
    }
    return 0;
  }
}
