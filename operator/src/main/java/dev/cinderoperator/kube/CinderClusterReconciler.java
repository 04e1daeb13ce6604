package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.Durations;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Orchestrates one reconcile: observe (informer caches), decide ({@link ClusterDriver}), record
 * status. The status is written only when it differs from what is stored.
 */
// Not generation-aware: Secrets and other changes outside the spec must also trigger, and the
// mock server used in tests does not bump metadata.generation.
@ControllerConfiguration(
    name = CinderClusterReconciler.NAME,
    generationAwareEventProcessing = false)
public class CinderClusterReconciler implements Reconciler<CinderCluster>, Cleaner<CinderCluster> {
  public static final String NAME = "cindercluster";
  private static final Logger LOG = LoggerFactory.getLogger(CinderClusterReconciler.class);
  private static final String SECRETS = "secrets";
  public static final String UNREADABLE_SPEC = "UnreadableSpec";

  /** The Reconciling reason while the Kubernetes API fails (429, 5xx, timeouts). */
  public static final String API_UNAVAILABLE = "KubernetesApiUnavailable";

  private static final Duration API_RETRY_FIRST = Duration.ofSeconds(1);
  private static final Duration API_RETRY_MAX = Duration.ofSeconds(30);
  private static final Duration CONFLICT_RETRY = Duration.ofMillis(200);
  private static final Duration NOT_LEADING_RETRY = Duration.ofSeconds(1);

  /** Consecutive reconciles of a cluster that failed on the API, by namespace/name. */
  private final Map<String, Integer> apiFailures = new ConcurrentHashMap<>();

  private final ClusterDriver driver;
  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final ReferencedSecrets referencedSecrets;
  private final StatusRecorder statuses;

  public CinderClusterReconciler(
      KubernetesClient client,
      Clock clock,
      ReleaseCatalog catalog,
      OperatorSettings settings,
      ClusterDriver.Collaborators collaborators) {
    this.events = new EventRecorder(client, clock);
    this.metrics = collaborators.metrics();
    this.referencedSecrets = new ReferencedSecrets(client);
    this.statuses = new StatusRecorder(client, clock, events, metrics);
    this.driver =
        new ClusterDriver(new DriverParts(client, clock, catalog, settings, events, collaborators));
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public List<EventSource<?, CinderCluster>> prepareEventSources(
      EventSourceContext<CinderCluster> context) {
    String managed = Labels.MANAGED_BY + "=" + Labels.OPERATOR;
    SecondaryToPrimaryMapper<HasMetadata> byInstance =
        Mappers.fromLabel(Labels.INSTANCE, null, CinderCluster.class);
    List<EventSource<?, CinderCluster>> sources = new ArrayList<>();
    for (Class<? extends HasMetadata> type :
        List.of(
            Pod.class,
            StatefulSet.class,
            Deployment.class,
            Service.class,
            PodDisruptionBudget.class,
            Job.class)) {
      sources.add(ClusterInformers.informer(context, type, managed, byInstance));
    }
    // Secrets: the operator's own (a label-selected informer) and, by name alone, the ones a
    // CinderCluster names; never every Secret of the namespace.
    sources.add(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Secret.class, CinderCluster.class)
                .withName(SECRETS)
                .withLabelSelector(managed)
                .withSecondaryToPrimaryMapper((SecondaryToPrimaryMapper) byInstance)
                .build(),
            context));
    sources.add(referencedSecrets);
    return sources;
  }

  /** The users' Secrets the spec names (database and messaging). */
  static Set<String> referencedSecretNames(CinderCluster cc) {
    var spec = cc.getSpec();
    Set<String> names = new java.util.HashSet<>();
    if (spec == null) {
      return names;
    }
    if (spec.getDatabase() != null && spec.getDatabase().getSecretRef() != null) {
      names.add(spec.getDatabase().getSecretRef().getName());
    }
    if (spec.getMessaging() != null && spec.getMessaging().getSecretRef() != null) {
      names.add(spec.getMessaging().getSecretRef().getName());
    }
    names.remove(null);
    return names;
  }

  @Override
  public UpdateControl<CinderCluster> reconcile(CinderCluster cc, Context<CinderCluster> context) {
    String key = cc.getMetadata().getNamespace() + "/" + cc.getMetadata().getName();
    MDC.put("cluster", key);
    try {
      Optional<String> unreadable = UnreadableClusters.problem(cc);
      if (unreadable.isPresent()) {
        reportUnreadable(cc, unreadable.get());
        return UpdateControl.noUpdate(); // its next change comes as an event
      }
      UpdateControl<CinderCluster> control = reconcileOnce(cc, context);
      apiFailures.remove(key);
      return control;
    } catch (RuntimeException e) {
      if (Leadership.NotLeadingException.in(e)) {
        // The Lease is not (or may no longer be) this replica's: it writes nothing, not even
        // the status. Leadership regained after a late renewal resumes here; lost, it ends.
        LOG.info("not acting on cluster={}: {}", cc.getMetadata().getName(), e.getMessage());
        return UpdateControl.<CinderCluster>noUpdate().rescheduleAfter(NOT_LEADING_RETRY);
      }
      Optional<TransientApiFailure> failure = TransientApiFailure.of(e);
      if (failure.isEmpty()) {
        throw e;
      }
      return retryLater(cc, context, failure.get(), key);
    } finally {
      MDC.remove("cluster");
      MDC.remove("step");
    }
  }

  /**
   * A CR that does not fit the model: Stalled on it alone, naming the field and the value, written
   * through the generic client (the typed one cannot represent this CR). Nothing else is touched.
   */
  private void reportUnreadable(CinderCluster cc, String problem) {
    CinderClusterStatus before = statuses.copyOf(cc);
    CinderClusterStatus status = statuses.copy(before);
    Progress progress =
        Progress.stalled(
            UNREADABLE_SPEC,
            problem
                + ": the operator cannot read this CinderCluster, so it acts on nothing of it and"
                + " running Cinder services are left as they are. Fix the field (kubectl edit cc "
                + cc.getMetadata().getName()
                + ")",
            null);
    statuses.finish(status, progress, StatusRecorder.generation(cc));
    if (statuses.same(before, status)) {
      return;
    }
    LOG.warn("cluster cannot be read into the model: {}", problem);
    statuses.announceTransitions(cc, before, status, progress);
    statuses.writeGeneric(cc, status);
  }

  /**
   * A CinderCluster is being deleted: release what this operator holds for it (JOSDK then removes
   * the finalizer). Its Kubernetes objects are garbage-collected through their owner references;
   * Cinder's database, its services rows included, is left as it is (docs/architecture.md).
   */
  @Override
  public DeleteControl cleanup(CinderCluster cc, Context<CinderCluster> context) {
    driver.release(cc);
    LOG.info(
        "released cluster={}/{}: objects go by garbage collection, the database is kept",
        cc.getMetadata().getNamespace(),
        cc.getMetadata().getName());
    return DeleteControl.defaultDelete();
  }

  /** What this operator holds for a cluster (see {@link ClusterDriver#heldFor}). */
  public Map<String, Integer> heldFor(CinderCluster cc) {
    return driver.heldFor(cc);
  }

  /**
   * A Kubernetes API failure that passes by itself: no stack trace, no ReconcileError. A conflict
   * is retried at once (the object changed; the next read sees it). Otherwise the status says what
   * waits for the API (when the API takes the write) and the reconcile runs again after a backoff
   * that doubles per consecutive failure, 1 s to 30 s; an informer event runs it sooner.
   */
  private UpdateControl<CinderCluster> retryLater(
      CinderCluster cc, Context<CinderCluster> context, TransientApiFailure failure, String key) {
    String name = cc.getMetadata().getName();
    if (failure.conflict()) {
      LOG.debug("conflict cluster={}, reconciling again: {}", name, failure.describe());
      return UpdateControl.<CinderCluster>noUpdate().rescheduleAfter(CONFLICT_RETRY);
    }
    int attempt = apiFailures.merge(key, 1, Integer::sum);
    Duration wait =
        Duration.ofMillis(
            Math.min(
                API_RETRY_MAX.toMillis(), API_RETRY_FIRST.toMillis() << Math.min(attempt - 1, 5)));
    CinderCluster latest =
        context == null
            ? cc
            : context.getPrimaryCache().get(ResourceID.fromResource(cc)).orElse(cc);
    CinderClusterStatus status = statuses.copyOf(latest);
    Progress progress = apiUnavailable(status, failure, wait);
    LOG.warn(
        "Kubernetes API unavailable cluster={} step={} attempt={}: {}",
        name,
        status.getUpgrade() == null || status.getUpgrade().getStep() == null
            ? "-"
            : status.getUpgrade().getStep().name(),
        attempt,
        progress.message());
    metrics.apiUnavailable(cc.getMetadata().getNamespace(), name, failure.reason());
    CinderClusterStatus before = statuses.copy(status);
    statuses.finish(status, progress, StatusRecorder.generation(latest));
    if (context != null && !statuses.same(before, status)) {
      try {
        statuses.write(latest, status, context);
      } catch (RuntimeException writeFailed) {
        LOG.debug("could not record the API failure in status: {}", writeFailed.getMessage());
      }
    }
    return UpdateControl.<CinderCluster>noUpdate().rescheduleAfter(wait);
  }

  /** What waits for the Kubernetes API, in the phase the cluster was in (Stalled aside). */
  private static Progress apiUnavailable(
      CinderClusterStatus status, TransientApiFailure failure, Duration wait) {
    UpgradeStatus u = status.getUpgrade();
    boolean upgrading = u != null && u.getStep() != null && u.getStep() != UpgradeStep.Complete;
    String waiting =
        upgrading
            ? "the upgrade waits at "
                + u.getStep().name()
                + (u.getInFlight() == null ? "" : " (" + u.getInFlight() + ")")
            : "nothing is changed";
    String message =
        failure.describe()
            + "; "
            + waiting
            + " until it answers, retrying in "
            + Durations.format(wait);
    Phase phase =
        status.getPhase() == null || status.getPhase() == Phase.Stalled
            ? (upgrading ? Phase.Upgrading : Phase.Deploying)
            : status.getPhase();
    return Progress.working(phase, API_UNAVAILABLE, message, wait);
  }

  @SuppressWarnings("unchecked")
  private UpdateControl<CinderCluster> reconcileOnce(
      CinderCluster cc, Context<CinderCluster> context) {
    String ns = cc.getMetadata().getNamespace();
    InformerEventSource<Secret, CinderCluster> secrets =
        (InformerEventSource<Secret, CinderCluster>)
            context.eventSourceRetriever().getEventSourceFor(Secret.class, SECRETS);
    referencedSecrets.track(
        ResourceID.fromResource(cc),
        referencedSecretNames(cc),
        id -> context.getPrimaryCache().get(id).isPresent());
    ObservedObjects observed =
        new ObservedObjects(
            ClusterInformers.owned(context, Pod.class, cc),
            ClusterInformers.owned(context, StatefulSet.class, cc),
            ClusterInformers.owned(context, Deployment.class, cc),
            ClusterInformers.owned(context, Service.class, cc),
            ClusterInformers.owned(context, PodDisruptionBudget.class, cc),
            ClusterInformers.owned(context, Job.class, cc),
            name ->
                secrets.get(new ResourceID(name, ns)).or(() -> referencedSecrets.get(ns, name)));

    CinderClusterStatus before =
        cc.getStatus() == null ? new CinderClusterStatus() : cc.getStatus();
    CinderClusterStatus status = statuses.copy(before);
    long generation = StatusRecorder.generation(cc);

    // Status is replaced whole (PUT on /status) and the result cached for the next reconcile,
    // so a write between the executor's intent and the final one never patches a stale copy.
    CinderClusterStatus[] stored = {before};
    CinderCluster[] current = {cc};
    StatusSink sink =
        (intent, p) -> {
          CinderClusterStatus toWrite = statuses.copy(intent);
          statuses.finish(toWrite, p, generation);
          if (!statuses.same(stored[0], toWrite)) {
            statuses.announceTransitions(cc, stored[0], toWrite, p);
            current[0] = statuses.write(current[0], toWrite, context);
            stored[0] = toWrite;
          }
        };
    Progress progress = driver.drive(cc, observed, status, sink);

    statuses.finish(status, progress, generation);
    statuses.announceTransitions(cc, stored[0], status, progress);
    if (!statuses.same(stored[0], status)) {
      statuses.write(current[0], status, context);
    }
    UpdateControl<CinderCluster> control = UpdateControl.noUpdate();
    if (progress.recheckAfter() != null) {
      control.rescheduleAfter(progress.recheckAfter());
    }
    return control;
  }

  /**
   * An unexpected error: say so in the status (JOSDK retries with backoff). Nothing is deleted or
   * restarted because of it. A conflict is not an error: the object changed under the write, and
   * the next reconcile (already queued by that change, else JOSDK's retry) writes again.
   */
  @Override
  public ErrorStatusUpdateControl<CinderCluster> updateErrorStatus(
      CinderCluster cc, Context<CinderCluster> context, Exception e) {
    if (Leadership.NotLeadingException.in(e)) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    if (Conflicts.isConflict(e)) {
      LOG.debug(
          "conflict cluster={}, reconciling again: {}", cc.getMetadata().getName(), e.getMessage());
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    LOG.error("reconcile failed cluster={}", cc.getMetadata().getName(), e);
    CinderClusterStatus status = statuses.copyOf(cc);
    String message =
        e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : ": " + e.getMessage())
            + "; retrying with backoff";
    Phase phase = status.getPhase() == null ? Phase.Deploying : status.getPhase();
    Progress progress =
        Progress.working(
            phase,
            "ReconcileError",
            message.length() > 500 ? message.substring(0, 500) : message,
            null);
    statuses.finish(status, progress, StatusRecorder.generation(cc));
    try {
      statuses.write(cc, status, context);
    } catch (RuntimeException writeFailed) {
      LOG.warn("could not record the error in status: {}", writeFailed.getMessage());
    }
    return ErrorStatusUpdateControl.defaultErrorProcessing();
  }
}
