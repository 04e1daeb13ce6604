package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events on a CinderCluster. Callers emit on transitions and actions only, so a
 * reconcile that changes nothing writes no Event. Events are best-effort and written in the
 * background, in order, as client-go's recorder does: a reconcile does not wait for them (with 100
 * clusters upgrading, one Event round trip was a quarter of an acting reconcile). When the queue is
 * full an Event is dropped with a warning; the log line is written either way.
 */
public class EventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final String COMPONENT = "cinder-operator";
  private static final int MAX_MESSAGE = 1024;
  private static final int MAX_QUEUED = 1000;

  private final KubernetesClient client;
  private final Clock clock;
  private final Executor writer;

  public EventRecorder(KubernetesClient client, Clock clock) {
    this(client, clock, backgroundWriter());
  }

  EventRecorder(KubernetesClient client, Clock clock, Executor writer) {
    this.client = client;
    this.clock = clock;
    this.writer = writer;
  }

  /** One thread (so Events keep their order) that ends when idle for 30 s. */
  private static Executor backgroundWriter() {
    ThreadPoolExecutor writer =
        new ThreadPoolExecutor(
            1,
            1,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MAX_QUEUED),
            r -> {
              Thread t = new Thread(r, "cinder-operator-events");
              t.setDaemon(true);
              return t;
            });
    writer.allowCoreThreadTimeOut(true);
    return writer;
  }

  public void normal(CinderCluster cluster, String reason, String message) {
    record(cluster, "Normal", reason, message);
  }

  public void warning(CinderCluster cluster, String reason, String message) {
    record(cluster, "Warning", reason, message);
  }

  private void record(CinderCluster cluster, String type, String reason, String message) {
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
    LOG.info(
        "event cluster={}/{} type={} reason={} message={}",
        cluster.getMetadata().getNamespace(),
        cluster.getMetadata().getName(),
        type,
        reason,
        text);
    String now = Instant.now(clock).toString();
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(
                cluster.getMetadata().getName()
                    + "."
                    + UUID.randomUUID().toString().replace("-", "").substring(0, 16))
            .withNamespace(cluster.getMetadata().getNamespace())
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion(cluster.getApiVersion())
            .withKind(cluster.getKind())
            .withName(cluster.getMetadata().getName())
            .withNamespace(cluster.getMetadata().getNamespace())
            .withUid(cluster.getMetadata().getUid())
            .endInvolvedObject()
            .withType(type)
            .withReason(reason)
            .withMessage(text)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .withReportingComponent(COMPONENT)
            .build();
    try {
      writer.execute(() -> write(event));
    } catch (RejectedExecutionException e) {
      LOG.warn("event queue full, dropped event reason={}", reason);
    }
  }

  private void write(Event event) {
    try {
      client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException | Leadership.NotLeadingException | IllegalStateException e) {
      // An Event is informative; failing to write one must not fail anything. A write queued
      // while the operator stops finds its client closed (IllegalStateException): it is dropped.
      LOG.warn("could not write event reason={}: {}", event.getReason(), e.getMessage());
    }
  }
}
