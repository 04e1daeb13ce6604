package dev.cinderoperator.e2e;

import dev.cinderoperator.api.BackupSpec;
import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.ComponentSpec;
import dev.cinderoperator.api.SecretKeyRef;
import dev.cinderoperator.api.SecretSource;
import dev.cinderoperator.api.VolumeBackendSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** CinderClusters the scenarios deploy. */
public final class Clusters {
  public static final String REGISTRY = "registry.example.com/openstack/cinder:";

  private Clusters() {}

  public static CinderCluster of(
      String name,
      String ns,
      String release,
      int schedulers,
      int api,
      int backups,
      VolumeBackendSpec... volumes) {
    CinderCluster cc = new CinderCluster();
    cc.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    CinderClusterSpec spec = new CinderClusterSpec();
    spec.setRelease(release);
    spec.setImage(REGISTRY + release);
    spec.setDatabase(new SecretSource(new SecretKeyRef("cinder-db", "connection")));
    spec.setMessaging(new SecretSource(new SecretKeyRef("cinder-rabbitmq", "transport_url")));
    spec.setScheduler(new ComponentSpec(schedulers));
    spec.setApi(new ComponentSpec(api));
    spec.setVolumes(new ArrayList<>(List.of(volumes)));
    if (List.of(volumes).stream().anyMatch(VolumeBackendSpec::isActiveActive)) {
      // the members of an active/active backend share their locks through it
      spec.setConfig(
          new java.util.LinkedHashMap<>(
              Map.of("coordination", Map.of("backend_url", "etcd3+http://etcd:2379"))));
    }
    BackupSpec backup = new BackupSpec();
    backup.setReplicas(backups);
    backup.setConfig(Map.of("backup_driver", "cinder.backup.drivers.posix.PosixBackupDriver"));
    spec.setBackup(backup);
    cc.setSpec(spec);
    return cc;
  }

  public static VolumeBackendSpec backend(String name, int replicas) {
    VolumeBackendSpec v = new VolumeBackendSpec(name);
    v.setReplicas(replicas);
    v.setActiveActive(replicas > 1);
    v.setConfig(Map.of("volume_driver", "cinder.volume.drivers.rbd.RBDDriver"));
    return v;
  }

  /**
   * The large cluster: 3 schedulers, 3 backends (one active/active with 3 pods), 2 backups,
   * 3 API.
   */
  public static CinderCluster large(String name, String ns, String release) {
    return of(
        name,
        ns,
        release,
        3,
        3,
        2,
        backend("ceph-ssd", 1),
        backend("ceph-hdd", 3),
        backend("lvm", 1));
  }

  /** The smallest cluster that has every component: 1 scheduler, 1 backend, 1 backup, 1 API. */
  public static CinderCluster small(String name, String ns, String release) {
    return of(name, ns, release, 1, 1, 1, backend("ceph", 1));
  }
}
