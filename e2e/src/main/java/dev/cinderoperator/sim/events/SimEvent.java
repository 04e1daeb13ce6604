package dev.cinderoperator.sim.events;

import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.workload.Labels;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Something that happened in the simulated cluster, as the recorders keep it. */
public sealed interface SimEvent {
  Instant at();

  String namespace();

  /** The CinderCluster it belongs to ({@code app.kubernetes.io/instance}), or null. */
  String cluster();

  /** A step in a pod's life, as the kubelet saw it. */
  record PodEvent(
      Instant at,
      Kind kind,
      String namespace,
      String pod,
      String uid,
      String image,
      Map<String, String> labels)
      implements SimEvent {
    public enum Kind {
      /** The kubelet saw the new pod (Pending). */
      CREATED,
      /** Its container started. */
      RUNNING,
      READY,
      NOT_READY,
      /** Its container exited and waits in CrashLoopBackOff. */
      CRASHED,
      /** A job pod's container exited 0. */
      SUCCEEDED,
      /** A job pod's container exited non-zero. */
      FAILED,
      /** The pod was deleted from the API; its process is being stopped. */
      DELETED,
      /** The grace period is over: the process is gone and the name may be reused. */
      GONE
    }

    public PodEvent {
      labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    @Override
    public String cluster() {
      return labels.get(Labels.INSTANCE);
    }

    public String component() {
      return labels.get(Labels.COMPONENT);
    }

    public String backend() {
      return labels.get(Labels.BACKEND);
    }
  }

  /**
   * A pod left the API server's store (reported by the server, before any watch sees it).
   *
   * @param by the User-Agent of the client that removed it ("garbage collection" for the collector)
   * @param via "delete", "eviction" or "garbage collection"
   * @param byOperator whether the operator under test removed it
   * @param othersDown the other pods of its component (its backend, for volume) that were missing,
   *     not Ready or terminating right after the removal
   * @param upgradeTarget the image the cluster's upgrade moves to (status.upgrade.toImage) while a
   *     step other than Complete is under way, else null
   * @param step that step, or null
   */
  record PodRemovedEvent(
      Instant at,
      String namespace,
      String pod,
      String uid,
      String image,
      Map<String, String> labels,
      String by,
      String via,
      boolean byOperator,
      List<String> othersDown,
      String upgradeTarget,
      String step)
      implements SimEvent {
    public PodRemovedEvent {
      labels = labels == null ? Map.of() : Map.copyOf(labels);
      othersDown = List.copyOf(othersDown);
    }

    @Override
    public String cluster() {
      return labels.get(Labels.INSTANCE);
    }

    public String component() {
      return labels.get(Labels.COMPONENT);
    }
  }

  /** A write to a services table (one per CinderCluster). */
  record ServiceRowEvent(
      Instant at, String namespace, String cluster, Change change, ServiceRow row)
      implements SimEvent {
    public enum Change {
      /** A starting service inserted its row. */
      CREATED,
      /** A starting service updated its existing row's versions (and cluster). */
      REGISTERED,
      HEARTBEAT,
      /** Soft-deleted. */
      DELETED,
      /** New backups stopped on the host. */
      DISABLED,
      ENABLED,
      /** Put there by a test (stale, old or version-less rows). */
      INSERTED
    }
  }

  /** A signal sent into a pod (the operator's SIGHUP). */
  record SignalEvent(
      Instant at, String namespace, String cluster, String pod, String signal, boolean delivered)
      implements SimEvent {}

  /** A job pod's container finished. */
  record JobRunEvent(
      Instant at,
      String namespace,
      String cluster,
      String job,
      String pod,
      String component,
      String image,
      int exitCode,
      String message)
      implements SimEvent {}
}
