package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a reconcile's {@link Progress} into status (observedGeneration, phase, kstatus conditions),
 * announces transitions as Events, and writes the status whole (PUT on /status).
 */
final class StatusRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(StatusRecorder.class);

  private final KubernetesClient client;
  private final Clock clock;
  private final EventRecorder events;
  private final OperatorMetrics metrics;

  StatusRecorder(
      KubernetesClient client, Clock clock, EventRecorder events, OperatorMetrics metrics) {
    this.client = client;
    this.clock = clock;
    this.events = events;
    this.metrics = metrics;
  }

  /** A copy of the cluster's status to change (an empty one when it has none). */
  CinderClusterStatus copyOf(CinderCluster cc) {
    return cc.getStatus() == null ? new CinderClusterStatus() : copy(cc.getStatus());
  }

  CinderClusterStatus copy(CinderClusterStatus status) {
    return client.getKubernetesSerialization().clone(status);
  }

  static long generation(CinderCluster cc) {
    return Optional.ofNullable(cc.getMetadata().getGeneration()).orElse(0L);
  }

  void finish(CinderClusterStatus status, Progress progress, long generation) {
    status.setObservedGeneration(generation);
    status.setPhase(progress.phase());
    StatusConditions.apply(status, progress, generation, clock);
  }

  boolean same(CinderClusterStatus a, CinderClusterStatus b) {
    var s = client.getKubernetesSerialization();
    return Objects.equals(s.asJson(a), s.asJson(b));
  }

  /**
   * Replaces the status, locked to the resourceVersion this reconcile read, and caches the result
   * for the next reconcile. A conflict (HTTP 409) propagates: the cluster changed since the read,
   * so this status may rest on a stale copy, and the next reconcile derives it again. (JOSDK's
   * {@code PrimaryUpdateAndCacheUtils} would instead re-apply this status to the newer copy: a
   * reconcile that read a stale copy then overwrote the newer status with its old one.)
   */
  CinderCluster write(
      CinderCluster resource, CinderClusterStatus status, Context<CinderCluster> context) {
    CinderCluster updated = replace(resource, status);
    context
        .eventSourceRetriever()
        .getControllerEventSource()
        .handleRecentResourceUpdate(ResourceID.fromResource(resource), updated, resource);
    return updated;
  }

  /** The locked PUT on /status of {@link #write}, without the cache. */
  CinderCluster replace(CinderCluster read, CinderClusterStatus status) {
    CinderCluster desired = client.getKubernetesSerialization().clone(read);
    desired.setStatus(copy(status));
    return client.resource(desired).updateStatus();
  }

  /** Writes the status of a CR the typed client cannot represent, through the generic client. */
  void writeGeneric(CinderCluster cc, CinderClusterStatus status) {
    GenericKubernetesResource patch = new GenericKubernetesResource();
    patch.setApiVersion(cc.getApiVersion());
    patch.setKind(cc.getKind());
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(cc.getMetadata().getName())
            .withNamespace(cc.getMetadata().getNamespace())
            .withUid(cc.getMetadata().getUid())
            .withResourceVersion(cc.getMetadata().getResourceVersion())
            .build());
    patch.setAdditionalProperty(
        "status", client.getKubernetesSerialization().convertValue(status, Map.class));
    client
        .genericKubernetesResources(ResourceDefinitionContext.fromResourceType(CinderCluster.class))
        .inNamespace(cc.getMetadata().getNamespace())
        .resource(patch)
        .updateStatus();
  }

  /** An Event for a phase change and for every new stall; none when nothing changed. */
  void announceTransitions(
      CinderCluster cc, CinderClusterStatus before, CinderClusterStatus after, Progress progress) {
    boolean wasStalled =
        before
            .condition(StatusConditions.STALLED)
            .map(c -> "True".equals(c.getStatus()))
            .orElse(false);
    String oldMessage =
        before.condition(StatusConditions.STALLED).map(c -> c.getMessage()).orElse("");
    if (progress.stalled() && (!wasStalled || !oldMessage.equals(progress.message()))) {
      events.warning(cc, progress.reason(), progress.message());
      metrics.stalled(
          cc.getMetadata().getNamespace(), cc.getMetadata().getName(), progress.reason());
    }
    if (before.getPhase() != after.getPhase() && !progress.stalled()) {
      events.normal(
          cc,
          "Phase" + after.getPhase(),
          "phase "
              + Optional.ofNullable(before.getPhase()).map(Enum::name).orElse("none")
              + " -> "
              + after.getPhase()
              + ": "
              + progress.message());
    }
    if (wasStalled && !progress.stalled()) {
      LOG.info("stall cleared cluster={}", cc.getMetadata().getName());
    }
  }
}
