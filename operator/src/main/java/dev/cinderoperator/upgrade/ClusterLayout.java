package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.VolumeBackendSpec;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Names;
import dev.cinderoperator.workload.ServiceHosts;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * The StatefulSet pods the spec asks for, in upgrade order, and which services rows are named like
 * this cluster's services. Each pod's name is its Cinder host ({@code <pod>@<backend>} for volume).
 */
public final class ClusterLayout {

  /** One StatefulSet pod the spec asks for. */
  public record Slot(
      String pod,
      Component component,
      String backend,
      int ordinal,
      CinderBinary binary,
      String host) {
    String service() {
      return binary.binaryName() + " " + host;
    }
  }

  private final String cluster;
  private final CinderClusterSpec spec;
  private final Predicate<ServiceRow> ownRow;

  public ClusterLayout(String cluster, CinderClusterSpec spec) {
    this.cluster = cluster;
    this.spec = spec;
    this.ownRow = ServiceHosts.ownedBy(cluster);
  }

  public String cluster() {
    return cluster;
  }

  /** Scheduler pods, highest ordinal first. */
  public List<Slot> schedulers() {
    List<Slot> slots = new ArrayList<>();
    for (int i = spec.schedulerReplicas() - 1; i >= 0; i--) {
      String pod = Names.statefulPod(Names.scheduler(cluster), i);
      slots.add(new Slot(pod, Component.SCHEDULER, null, i, CinderBinary.SCHEDULER, pod));
    }
    return slots;
  }

  /** Volume pods: backends in spec order, each backend's pods highest ordinal first. */
  public List<Slot> volumes() {
    List<Slot> slots = new ArrayList<>();
    for (VolumeBackendSpec b : spec.volumesOrEmpty()) {
      for (int i = b.replicasOrDefault() - 1; i >= 0; i--) {
        String pod = Names.statefulPod(Names.volume(cluster, b.getName()), i);
        slots.add(
            new Slot(
                pod,
                Component.VOLUME,
                b.getName(),
                i,
                CinderBinary.VOLUME,
                Names.volumeHost(pod, b.getName())));
      }
    }
    return slots;
  }

  /** Backup pods, highest ordinal first. */
  public List<Slot> backups() {
    List<Slot> slots = new ArrayList<>();
    for (int i = spec.backupReplicas() - 1; i >= 0; i--) {
      String pod = Names.statefulPod(Names.backup(cluster), i);
      slots.add(new Slot(pod, Component.BACKUP, null, i, CinderBinary.BACKUP, pod));
    }
    return slots;
  }

  /** Scheduler, volume, backup: the upgrade order of the pods the operator replaces. */
  public List<Slot> forward() {
    List<Slot> all = new ArrayList<>(schedulers());
    all.addAll(volumes());
    all.addAll(backups());
    return all;
  }

  public List<Slot> of(Component component) {
    return switch (component) {
      case SCHEDULER -> schedulers();
      case VOLUME -> volumes();
      case BACKUP -> backups();
      default -> List.of();
    };
  }

  public static List<Slot> reversed(List<Slot> slots) {
    List<Slot> copy = new ArrayList<>(slots);
    Collections.reverse(copy);
    return copy;
  }

  public int apiReplicas() {
    return spec.apiReplicas();
  }

  /** Whether the spec asks for a pod whose service has this host. */
  public boolean expects(String binary, String host) {
    return forward().stream()
        .anyMatch(s -> s.binary().binaryName().equals(binary) && s.host().equals(host));
  }

  /** Whether a services row is named like one of this cluster's services (any backend, ordinal). */
  public boolean isOwnRow(ServiceRow row) {
    return ownRow.test(row);
  }

  /** The services-table host of a StatefulSet pod. */
  public static String hostOf(PodView pod) {
    return pod.component() == Component.VOLUME && pod.backend() != null
        ? Names.volumeHost(pod.name(), pod.backend())
        : pod.name();
  }
}
