package dev.cinderoperator.kube;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election that never lets a replica act once it may have lost the Lease.
 *
 * <p>JOSDK 5.2 elects through Fabric8's {@code LeaderElector}. A leader that cannot renew notices
 * only when its renew deadline has passed between two attempts, and each attempt can hang for the
 * client's request timeout and retries; then JOSDK either calls {@code System.exit(1)} (the
 * default) while reconciles are still running, or, with {@code exitOnStopLeading=false}, only logs
 * and keeps its controllers running. Either way a former leader can write after another replica
 * took the Lease (JOSDK issue 2056 saw two leaders).
 *
 * <p>The fence is an interceptor on the operator's client that sees every Lease renewal: a write
 * (create, update, patch, delete, exec) leaves the client only while this replica leads and its
 * last successful renewal was sent less than the renew deadline ago. Another replica can take the
 * Lease only a lease duration after that renewal, so the difference (5 s with JOSDK's defaults of
 * 15 s and 10 s) is the margin for a write already on its way and for clock drift. Once leadership
 * is lost the fence stays shut for good. Acts outside the API (database writes, SIGHUP) ask {@link
 * #mayAct()} first.
 */
public final class LeaderFence implements Interceptor, Leadership {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderFence.class);
  public static final String NAME = "cinder-operator-leader-fence";

  private final String leaseNamespace;
  private final String leaseName;
  private final String identity;
  private final Duration leaseDuration;
  private final Duration renewDeadline;
  private final Duration retryPeriod;
  private final LongSupplier nanos;

  private volatile boolean leading;
  private volatile boolean lost;
  private volatile long renewedAt;
  private volatile long leaseWriteSentAt;
  private volatile boolean refusing;

  public LeaderFence(
      String leaseNamespace,
      String leaseName,
      String identity,
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retryPeriod) {
    this(
        leaseNamespace,
        leaseName,
        identity,
        leaseDuration,
        renewDeadline,
        retryPeriod,
        System::nanoTime);
  }

  LeaderFence(
      String leaseNamespace,
      String leaseName,
      String identity,
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retryPeriod,
      LongSupplier nanos) {
    if (renewDeadline.compareTo(leaseDuration) >= 0) {
      throw new IllegalArgumentException("the renew deadline must be shorter than the lease");
    }
    this.leaseNamespace = leaseNamespace;
    this.leaseName = leaseName;
    this.identity = identity;
    this.leaseDuration = leaseDuration;
    this.renewDeadline = renewDeadline;
    this.retryPeriod = retryPeriod;
    this.nanos = nanos;
  }

  /** With JOSDK's default durations: lease 15 s, renew deadline 10 s, retry every 2 s. */
  public static LeaderFence withDefaults(String leaseNamespace, String leaseName, String identity) {
    return new LeaderFence(
        leaseNamespace,
        leaseName,
        identity,
        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE);
  }

  /** Adds the fence to a client: {@code withHttpClientBuilderConsumer(fence.install())}. */
  public Consumer<HttpClient.Builder> install() {
    return builder -> builder.addOrReplaceInterceptor(NAME, this);
  }

  /**
   * JOSDK's leader election with this fence's Lease, identity and durations.
   *
   * @param exitOnStopLeading JOSDK exits the process once leadership is lost (production: the pod
   *     restarts as a standby); false where the process must live on (tests)
   * @param afterLoss run after the fence shut, e.g. to stop the operator
   */
  public LeaderElectionConfiguration configuration(boolean exitOnStopLeading, Runnable afterLoss) {
    return new LeaderElectionConfiguration(
        leaseName,
        leaseNamespace,
        leaseDuration,
        renewDeadline,
        retryPeriod,
        identity,
        new LeaderCallbacks(
            this::startedLeading,
            () -> {
              stoppedLeading();
              afterLoss.run();
            },
            leader ->
                LOG.info("leader of Lease {}/{} is now {}", leaseNamespace, leaseName, leader)),
        exitOnStopLeading);
  }

  public String identity() {
    return identity;
  }

  @Override
  public boolean mayAct() {
    return leading && !lost && nanos.getAsLong() - renewedAt < renewDeadline.toNanos();
  }

  void startedLeading() {
    if (lost) {
      return;
    }
    leading = true;
    LOG.info(
        "elected leader through Lease {}/{} as {}: reconciling",
        leaseNamespace,
        leaseName,
        identity);
  }

  void stoppedLeading() {
    boolean wasLeading = leading;
    lost = true;
    leading = false;
    if (wasLeading) {
      LOG.error(
          "lost the leader Lease {}/{} (last renewed {} ago, renew deadline {}): {} writes nothing"
              + " more and stops; another replica takes over",
          leaseNamespace,
          leaseName,
          seconds(nanos.getAsLong() - renewedAt),
          seconds(renewDeadline.toNanos()),
          identity);
    }
  }

  // ---- the interceptor

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    String method = request.method().toUpperCase(Locale.ROOT);
    String path = request.uri().getRawPath();
    if (isLeaseRequest(path)) {
      if (!method.equals("GET")) {
        leaseWriteSentAt = nanos.getAsLong();
      }
      return;
    }
    if (!isWrite(method, path)) {
      return;
    }
    if (mayAct()) {
      return;
    }
    if (leading && !lost && !refusing) {
      refusing = true;
      LOG.warn(
          "leader Lease {}/{} not renewed for {} (renew deadline {}): writes are held until it is",
          leaseNamespace,
          leaseName,
          seconds(nanos.getAsLong() - renewedAt),
          seconds(renewDeadline.toNanos()));
    }
    throw new NotLeadingException(method + " " + path);
  }

  @Override
  public void after(
      HttpRequest request,
      HttpResponse<?> response,
      AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    if (response.code() / 100 == 2
        && !request.method().equalsIgnoreCase("GET")
        && isLeaseRequest(request.uri().getRawPath())) {
      renewedAt = Math.max(renewedAt, leaseWriteSentAt);
      if (refusing && mayAct()) {
        refusing = false;
        LOG.info("leader Lease {}/{} renewed again: writes resume", leaseNamespace, leaseName);
      }
    }
  }

  private boolean isLeaseRequest(String path) {
    String leases = "/apis/coordination.k8s.io/v1/namespaces/" + leaseNamespace + "/leases";
    return path.equals(leases) || path.equals(leases + "/" + leaseName);
  }

  private static boolean isWrite(String method, String path) {
    if (path.endsWith("/selfsubjectrulesreviews") || path.endsWith("/selfsubjectaccessreviews")) {
      return false; // asks what this process may do; changes nothing
    }
    return !method.equals("GET") && !method.equals("HEAD")
        || path.endsWith("/exec")
        || path.endsWith("/attach");
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }
}
