package dev.cinderoperator.cli;

import dev.cinderoperator.api.Durations;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.kube.CinderOperator;
import dev.cinderoperator.kube.Collaborations;
import dev.cinderoperator.kube.HealthServer;
import dev.cinderoperator.kube.LeaderFence;
import dev.cinderoperator.kube.Leadership;
import dev.cinderoperator.kube.LeaseSettings;
import dev.cinderoperator.kube.OperatorSettings;
import dev.cinderoperator.kube.UnreadableClusters;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs the operator against the cluster of the current kubeconfig or the in-cluster config. Every
 * option has an environment variable (the chart sets those); a flag wins over its variable.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run the operator against the cluster of the current kubeconfig (or, in a pod, its service"
          + " account).",
      "Each option also reads the environment variable named in its help; a flag wins."
    })
public final class RunCommand implements Callable<Integer> {
  @Option(
      names = "--watch-namespaces",
      paramLabel = "NS[,NS...]",
      defaultValue = "${env:WATCH_NAMESPACES:-}",
      description = "Namespaces to watch. Env WATCH_NAMESPACES; default: all namespaces.")
  String watchNamespaces;

  @Option(
      names = "--leader-election",
      paramLabel = "true|false",
      defaultValue = "${env:LEADER_ELECTION_ENABLED:-true}",
      arity = "1",
      description =
          "Elect one active replica through a Lease (--leader-election-lease-name)."
              + " Env LEADER_ELECTION_ENABLED; default: true.")
  boolean leaderElection;

  @Option(
      names = "--leader-election-lease-name",
      paramLabel = "NAME",
      defaultValue = "${env:LEADER_ELECTION_LEASE_NAME:-cinder-operator-lease}",
      description =
          "Name of the Lease. Env LEADER_ELECTION_LEASE_NAME (the chart sets <release>-leader, so"
              + " two releases never share a leader); default: cinder-operator-lease.")
  String leaseName;

  @Option(
      names = "--leader-election-namespace",
      paramLabel = "NS",
      defaultValue = "${env:LEADER_ELECTION_NAMESPACE:-}",
      description =
          "Namespace of the Lease. Env LEADER_ELECTION_NAMESPACE (the chart sets the release"
              + " namespace); default: the pod's namespace, or the kubeconfig context's.")
  String leaseNamespace;

  @Option(
      names = "--leader-election-identity",
      paramLabel = "NAME",
      defaultValue = "${env:LEADER_ELECTION_IDENTITY:-}",
      description =
          "This replica's name in the Lease. Env LEADER_ELECTION_IDENTITY; default: the host name"
              + " (the pod's name in a cluster), else a random one.")
  String leaseIdentity;

  @Option(
      names = "--leader-election-lease-duration",
      paramLabel = "DURATION",
      defaultValue = "${env:LEADER_ELECTION_LEASE_DURATION:-15s}",
      description =
          "How long a standby waits after the leader's last renewal before it takes over."
              + " Env LEADER_ELECTION_LEASE_DURATION; default: 15s.")
  String leaseDuration;

  @Option(
      names = "--leader-election-renew-deadline",
      paramLabel = "DURATION",
      defaultValue = "${env:LEADER_ELECTION_RENEW_DEADLINE:-10s}",
      description =
          "How long after its last renewal the leader stops writing and gives up; shorter than"
              + " the lease duration. Env LEADER_ELECTION_RENEW_DEADLINE; default: 10s.")
  String renewDeadline;

  @Option(
      names = "--leader-election-retry-period",
      paramLabel = "DURATION",
      defaultValue = "${env:LEADER_ELECTION_RETRY_PERIOD:-2s}",
      description =
          "How often the leader renews and a standby tries to take over; shorter than the renew"
              + " deadline. Env LEADER_ELECTION_RETRY_PERIOD; default: 2s.")
  String retryPeriod;

  @Option(
      names = "--reconcile-threads",
      paramLabel = "N",
      defaultValue = "${env:RECONCILE_THREADS:-5}",
      description = "Concurrent reconciles, 1 to 100. Env RECONCILE_THREADS; default: 5.")
  int reconcileThreads;

  @Option(
      names = "--db-poll-interval",
      paramLabel = "DURATION",
      defaultValue = "${env:DB_POLL_INTERVAL:-15s}",
      description =
          "How often the services table is read while a step waits on it (500ms, 15s, 1m30s)."
              + " Env DB_POLL_INTERVAL; default: 15s.")
  String dbPollInterval;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      defaultValue = "${env:HTTP_PORT:-8080}",
      description = "Port of /healthz, /readyz and /metrics. Env HTTP_PORT; default: 8080.")
  int httpPort;

  @Option(
      names = "--unpin-by-signal",
      paramLabel = "true|false",
      defaultValue = "${env:UNPIN_BY_SIGNAL:-true}",
      arity = "1",
      description =
          "At Unpinning, SIGHUP scheduler, volume and backup (needs pods/exec); false: restart"
              + " those pods. Env UNPIN_BY_SIGNAL; default: true.")
  boolean unpinBySignal;

  @Option(
      names = "--log-format",
      paramLabel = "text|json",
      defaultValue = "${env:LOG_FORMAT:-text}",
      description =
          "text (key=value) or json (one object per line). Env LOG_FORMAT; default: text.")
  String logFormat;

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      defaultValue = "${env:LOG_LEVEL:-info}",
      description =
          "trace, debug, info, warn or error, for the operator's own logs."
              + " Env LOG_LEVEL; default: info.")
  String logLevel;

  @Mixin DebugOption debug;

  @Override
  public Integer call() throws Exception {
    configureLogging();
    Duration poll = duration("--db-poll-interval", dbPollInterval);
    Duration lease = duration("--leader-election-lease-duration", leaseDuration);
    Duration renew = duration("--leader-election-renew-deadline", renewDeadline);
    Duration retry = duration("--leader-election-retry-period", retryPeriod);
    if (renew.compareTo(lease) >= 0 || retry.compareTo(renew) >= 0) {
      throw new UserError(
          "leader election needs --leader-election-retry-period ("
              + retryPeriod
              + ") < --leader-election-renew-deadline ("
              + renewDeadline
              + ") < --leader-election-lease-duration ("
              + leaseDuration
              + ")");
    }
    OperatorSettings settings = settings(poll);

    Config config = ClusterConnection.config();
    ClusterConnection.check(config);
    LeaderFence fence = leaderFence(config, lease, renew, retry);
    var builder = UnreadableClusters.clientBuilder().withConfig(config);
    if (fence != null) {
      builder.withHttpClientBuilderConsumer(fence.install());
    }
    KubernetesClient client = builder.build();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    var metrics =
        MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(registry).build();
    Leadership leadership = fence == null ? Leadership.ALWAYS : fence;
    // Lost leadership ends the process (JOSDK exits after the fence shut); the pod restarts as a
    // standby with fresh memory.
    LeaderElectionConfiguration leader = fence == null ? null : fence.configuration(true, () -> {});
    Operator operator =
        CinderOperator.build(
                client,
                Clock.systemUTC(),
                settings,
                s -> Collaborations.production(client, s, registry, leadership),
                metrics,
                leader,
                ReleaseCatalog.standard())
            .operator();
    serve(operator, registry);
    return 0;
  }

  private void configureLogging() {
    if (!logFormat.equals("text") && !logFormat.equals("json")) {
      throw new UserError("--log-format must be text or json, not '" + logFormat + "'");
    }
    if (!Set.of("trace", "debug", "info", "warn", "error")
        .contains(logLevel.toLowerCase(Locale.ROOT))) {
      throw new UserError(
          "--log-level must be trace, debug, info, warn or error, not '" + logLevel + "'");
    }
    // Before the first logger is created, so log4j2.xml picks them up.
    System.setProperty("cinder.logFormat", logFormat);
    System.setProperty("cinder.logLevel", logLevel.toUpperCase(Locale.ROOT));
  }

  private OperatorSettings settings(Duration poll) {
    if (reconcileThreads < 1 || reconcileThreads > 100) {
      throw new UserError("--reconcile-threads must be between 1 and 100, not " + reconcileThreads);
    }
    Set<String> namespaces =
        Arrays.stream(watchNamespaces.split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toSet());
    return new OperatorSettings(
        namespaces,
        reconcileThreads,
        poll,
        Duration.ofSeconds(Math.max(60, poll.toSeconds())),
        Duration.ofMinutes(5),
        unpinBySignal);
  }

  /** The fence sits in the client, so every write of this replica passes it (see LeaderFence). */
  private LeaderFence leaderFence(Config config, Duration lease, Duration renew, Duration retry) {
    if (!leaderElection) {
      return null;
    }
    if (leaseNamespace.isBlank() && config.getNamespace() == null) {
      throw new UserError(
          "leader election needs a namespace for its Lease and "
              + ClusterConnection.source(config)
              + " names none: pass --leader-election-namespace NS, or --leader-election=false");
    }
    return new LeaderFence(
        new LeaseSettings(
            leaseNamespace.isBlank() ? config.getNamespace() : leaseNamespace,
            leaseName,
            identity(),
            lease,
            renew,
            retry));
  }

  /** Health and metrics on --http-port, the operator until the process is told to stop. */
  private void serve(Operator operator, PrometheusMeterRegistry registry)
      throws java.io.IOException, InterruptedException {
    HealthServer health;
    try {
      health =
          new HealthServer(
              httpPort,
              () -> operator.getRuntimeInfo().allEventSourcesAreHealthy(),
              () -> operator.getRuntimeInfo().isStarted(),
              registry::scrape);
    } catch (java.net.BindException e) {
      throw new UserError("port " + httpPort + " is in use: pass another --http-port", e);
    }
    try (health) {
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
  }

  private static Duration duration(String flag, String text) {
    return Durations.parse(text)
        .orElseThrow(
            () ->
                new UserError(flag + " '" + text + "' is not a duration like 500ms, 15s or 1m30s"));
  }

  private String identity() {
    if (!leaseIdentity.isBlank()) {
      return leaseIdentity;
    }
    String host = System.getenv("HOSTNAME");
    return host == null || host.isBlank() ? java.util.UUID.randomUUID().toString() : host;
  }
}
