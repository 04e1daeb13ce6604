package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The informers of the objects a CinderCluster owns, each indexed by the cluster it belongs to
 * (namespace and instance label, as the secondary-to-primary mapper). A reconcile reads its
 * cluster's objects from that index. JOSDK's getSecondaryResources answers the same objects in a
 * HashSet, hashing every Pod and StatefulSet whole on every reconcile: a third of the operator's
 * reconcile time while ten clusters upgraded.
 */
final class ClusterInformers {
  private static final String BY_INSTANCE = "cinder-operator-instance";

  private ClusterInformers() {}

  /** An informer of one kind, selected by label, mapped and indexed by instance. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static EventSource<?, CinderCluster> informer(
      EventSourceContext<CinderCluster> context,
      Class<? extends HasMetadata> type,
      String selector,
      SecondaryToPrimaryMapper<HasMetadata> mapper) {
    InformerEventSource source =
        new InformerEventSource(
            InformerEventSourceConfiguration.from(type, CinderCluster.class)
                .withLabelSelector(selector)
                .withSecondaryToPrimaryMapper((SecondaryToPrimaryMapper) mapper)
                .build(),
            context);
    source.addIndexers(
        Map.of(BY_INSTANCE, (Function<HasMetadata, List<String>>) ClusterInformers::instanceKey));
    return source;
  }

  /** A cluster's objects of one kind, as its informer has them now. */
  @SuppressWarnings("unchecked")
  static <R extends HasMetadata> List<R> owned(
      Context<CinderCluster> context, Class<R> type, CinderCluster cc) {
    InformerEventSource<R, CinderCluster> source =
        (InformerEventSource<R, CinderCluster>)
            context.eventSourceRetriever().getEventSourceFor(type);
    return List.copyOf(
        source.byIndex(
            BY_INSTANCE, cc.getMetadata().getNamespace() + "/" + cc.getMetadata().getName()));
  }

  private static List<String> instanceKey(HasMetadata r) {
    Map<String, String> labels = r.getMetadata().getLabels();
    String instance = labels == null ? null : labels.get(Labels.INSTANCE);
    return instance == null ? List.of() : List.of(r.getMetadata().getNamespace() + "/" + instance);
  }
}
