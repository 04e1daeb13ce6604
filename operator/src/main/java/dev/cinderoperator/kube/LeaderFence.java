package dev.cinderoperator.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election that never lets a replica act once it may have lost the Lease.
 *
 * <p>JOSDK 5.2 elects through Fabric8's {@code LeaderElector}. A leader that cannot renew notices
 * only when its renew deadline has passed between two attempts, and one attempt can hang for the
 * client's request timeout and its retries; then JOSDK either calls {@code System.exit(1)} (the
 * default) while reconciles are still running, or, with {@code exitOnStopLeading=false}, only logs
 * and keeps its controllers running. Either way a former leader could write after another replica
 * took the Lease (JOSDK issue 2056 saw two leaders).
 *
 * <p>The fence is an interceptor on the operator's client that sees every Lease write this replica
 * makes. The Lease's {@code renewTime} is what every other replica judges expiry by: it takes over
 * no sooner than {@code renewTime + leaseDuration}, on its own wall clock. So a write (create,
 * update, patch, delete, exec, eviction) leaves this client only while this replica leads and the
 * {@code renewTime} of its last accepted renewal is less than the renew deadline old on this
 * replica's wall clock; the difference to the lease duration (5 s with the defaults of 15 s and 10
 * s) is the margin for a write already on its way and for clock drift. Once leadership is lost the
 * fence stays shut for good (the process ends, or a test stops it). Acts outside the Kubernetes API
 * (database writes, messages to Cinder's schedulers, signals) ask {@link #mayAct()} first.
 */
public final class LeaderFence implements Interceptor, Leadership {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderFence.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String NAME = "cinder-operator-leader-fence";

  private final LeaseSettings lease;
  private final Clock clock;
  private final String leases;

  private volatile boolean leading;
  private volatile boolean lost;
  private volatile long renewedAtMillis = Long.MIN_VALUE / 2;
  private volatile boolean refusing;
  private volatile Runnable onLoss = () -> {};
  private final java.util.concurrent.atomic.AtomicLong refused =
      new java.util.concurrent.atomic.AtomicLong();

  public LeaderFence(LeaseSettings lease) {
    this(lease, Clock.systemUTC());
  }

  LeaderFence(LeaseSettings lease, Clock clock) {
    this.lease = lease;
    this.clock = clock;
    this.leases = "/apis/coordination.k8s.io/v1/namespaces/" + lease.namespace() + "/leases";
  }

  /** Adds the fence to a client's HTTP client builder, ahead of anything added later. */
  public Consumer<HttpClient.Builder> install() {
    return builder -> builder.addOrReplaceInterceptor(NAME, this);
  }

  /**
   * JOSDK's leader election with this fence's Lease, identity and timing.
   *
   * @param exitOnStopLeading JOSDK ends the process once leadership is lost (production: the pod
   *     restarts as a standby); false where the process must live on (tests)
   * @param afterLoss run on its own thread after the fence shut, e.g. to stop the operator
   */
  public LeaderElectionConfiguration configuration(boolean exitOnStopLeading, Runnable afterLoss) {
    this.onLoss = afterLoss;
    return new LeaderElectionConfiguration(
        lease.name(),
        lease.namespace(),
        lease.leaseDuration(),
        lease.renewDeadline(),
        lease.retryPeriod(),
        lease.identity(),
        new LeaderCallbacks(
            this::startedLeading,
            this::stoppedLeading,
            leader ->
                LOG.info(
                    "leader of Lease {}/{} is now {}", lease.namespace(), lease.name(), leader)),
        exitOnStopLeading);
  }

  public LeaseSettings lease() {
    return lease;
  }

  @Override
  public boolean mayAct() {
    return leading && !lost && fresh();
  }

  /** The writes this fence held back so far. */
  public long refused() {
    return refused.get();
  }

  /** Whether this replica was elected and then lost (or gave up) the Lease. */
  public boolean lost() {
    return lost;
  }

  private boolean fresh() {
    return clock.millis() - renewedAtMillis < lease.renewDeadline().toMillis();
  }

  void startedLeading() {
    if (lost) {
      return;
    }
    leading = true;
    LOG.info(
        "elected leader through Lease {}/{} as {}: reconciling",
        lease.namespace(),
        lease.name(),
        lease.identity());
  }

  void stoppedLeading() {
    boolean wasLeading = leading && !lost;
    lost = true;
    leading = false;
    if (wasLeading) {
      LOG.warn(
          "lost the leader Lease {}/{} (its last renewal is {} old, renew deadline {}): {} writes"
              + " nothing more and stops; another replica takes over",
          lease.namespace(),
          lease.name(),
          seconds(clock.millis() - renewedAtMillis),
          seconds(lease.renewDeadline().toMillis()),
          lease.identity());
    }
    Thread t = new Thread(onLoss, "leader-fence-loss");
    t.setDaemon(true);
    t.start();
  }

  // ---- the interceptor

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    String method = request.method().toUpperCase(Locale.ROOT);
    String path = request.uri().getRawPath();
    if (isLeaseRequest(path) || !isWrite(method, path) || mayAct()) {
      return;
    }
    if (leading && !lost && !refusing) {
      refusing = true;
      LOG.warn(
          "leader Lease {}/{} not renewed for {} (renew deadline {}): writes are held until it is",
          lease.namespace(),
          lease.name(),
          seconds(clock.millis() - renewedAtMillis),
          seconds(lease.renewDeadline().toMillis()));
    }
    refused.incrementAndGet();
    throw new NotLeadingException(method + " " + path);
  }

  @Override
  public void after(
      HttpRequest request,
      HttpResponse<?> response,
      AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    String method = request.method().toUpperCase(Locale.ROOT);
    if (response.code() / 100 != 2
        || method.equals("GET")
        || method.equals("DELETE")
        || !isLeaseRequest(request.uri().getRawPath())) {
      return;
    }
    Instant renewed = ownRenewal(request.bodyString());
    if (renewed == null) {
      return;
    }
    renewedAtMillis = Math.max(renewedAtMillis, renewed.toEpochMilli());
    if (refusing && mayAct()) {
      refusing = false;
      LOG.info("leader Lease {}/{} renewed again: writes resume", lease.namespace(), lease.name());
    }
  }

  /** The renewTime of a Lease write that names this replica as the holder, else null. */
  private Instant ownRenewal(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      JsonNode lease = JSON.readTree(body);
      JsonNode spec = lease.path("spec");
      if (!this.lease.identity().equals(spec.path("holderIdentity").asText(null))) {
        return null;
      }
      String name = lease.at("/metadata/name").asText(this.lease.name());
      if (!this.lease.name().equals(name)) {
        return null;
      }
      String renewTime = spec.path("renewTime").asText(null);
      return renewTime == null ? null : Instant.parse(renewTime);
    } catch (java.io.IOException | DateTimeParseException e) {
      LOG.warn("could not read a Lease write of {}: {}", this.lease.identity(), e.toString());
      return null;
    }
  }

  private boolean isLeaseRequest(String path) {
    return path.equals(leases) || path.equals(leases + "/" + lease.name());
  }

  private static boolean isWrite(String method, String path) {
    if (path.endsWith("/selfsubjectrulesreviews") || path.endsWith("/selfsubjectaccessreviews")) {
      return false; // asks what this process may do; changes nothing
    }
    return !method.equals("GET") && !method.equals("HEAD")
        || path.endsWith("/exec")
        || path.endsWith("/attach");
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1f s", millis / 1e3);
  }
}
