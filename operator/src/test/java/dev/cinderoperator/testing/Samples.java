package dev.cinderoperator.testing;

import dev.cinderoperator.api.BackupSpec;
import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.ComponentSpec;
import dev.cinderoperator.api.SecretKeyRef;
import dev.cinderoperator.api.SecretSource;
import dev.cinderoperator.api.VolumeBackendSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** CinderClusters and Secrets for tests. */
public final class Samples {
  public static final String DB_URL = "mysql+pymysql://cinder:s3cr3t-pw@mariadb:3306/cinder";
  public static final String TRANSPORT_URL = "rabbit://cinder:mq-s3cr3t@rabbitmq:5672/";
  public static final String IMAGE_2023_2 = "registry.example.com/openstack/cinder:2023.2";
  public static final String IMAGE_2024_1 = "registry.example.com/openstack/cinder:2024.1";
  public static final String COORDINATION_URL = "etcd3+http://etcd:2379";

  private Samples() {}

  public static CinderCluster cluster(String name, String namespace) {
    CinderCluster cc = new CinderCluster();
    cc.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    CinderClusterSpec spec = new CinderClusterSpec();
    spec.setRelease("2023.2");
    spec.setImage(IMAGE_2023_2);
    spec.setDatabase(new SecretSource(new SecretKeyRef("cinder-db", "connection")));
    spec.setMessaging(new SecretSource(new SecretKeyRef("cinder-rabbitmq", "transport_url")));
    spec.setApi(new ComponentSpec(2));
    spec.setScheduler(new ComponentSpec(2));
    VolumeBackendSpec ceph = new VolumeBackendSpec("ceph-ssd");
    ceph.setConfig(Map.of("volume_driver", "cinder.volume.drivers.rbd.RBDDriver"));
    VolumeBackendSpec aa = new VolumeBackendSpec("ceph-hdd");
    aa.setReplicas(2);
    aa.setActiveActive(true);
    aa.setConfig(Map.of("volume_driver", "cinder.volume.drivers.rbd.RBDDriver"));
    spec.setVolumes(new ArrayList<>(List.of(ceph, aa)));
    // the active/active backend's members share their locks through it
    spec.setConfig(
        new java.util.LinkedHashMap<>(
            Map.of("coordination", Map.of("backend_url", COORDINATION_URL))));
    BackupSpec backup = new BackupSpec();
    backup.setReplicas(1);
    backup.setConfig(Map.of("backup_driver", "cinder.backup.drivers.posix.PosixBackupDriver"));
    spec.setBackup(backup);
    cc.setSpec(spec);
    return cc;
  }

  public static Secret secret(String namespace, String name, String key, String value) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withStringData(Map.of(key, value))
        .build();
  }
}
