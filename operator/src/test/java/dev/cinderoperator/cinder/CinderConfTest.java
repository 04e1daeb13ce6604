package dev.cinderoperator.cinder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.testing.Samples;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CinderConfTest {
  CinderClusterSpec spec = Samples.cluster("cinder", "ns").getSpec();

  @Test
  void theUpgradeCheckGetsEveryBackendAndTheBackupOptionsInOneFile() {
    Map<String, String> files =
        CinderConf.render("cinder", spec, Samples.DB_URL, Samples.TRANSPORT_URL);
    String check = files.get(CinderConf.UPGRADE_CHECK_FILE);
    assertThat(check)
        .contains("enabled_backends = ceph-ssd,ceph-hdd")
        .contains("[ceph-ssd]")
        .contains("[ceph-hdd]")
        .contains("volume_driver = cinder.volume.drivers.rbd.RBDDriver")
        .contains("backup_driver = cinder.backup.drivers.posix.PosixBackupDriver")
        // identity and secrets stay in their own files
        .doesNotContain("cluster =")
        .doesNotContain("connection")
        .doesNotContain("transport_url");
    // one enabled_backends: given the per-backend files one after another, the last would win
    assertThat(check.lines().filter(l -> l.startsWith("enabled_backends"))).hasSize(1);
  }

  @Test
  void everyServiceGetsTheCommonFileWithDatabaseAndMessaging() {
    Map<String, String> files =
        CinderConf.render("cinder", spec, Samples.DB_URL, Samples.TRANSPORT_URL);
    assertThat(files.get("cinder.conf"))
        .startsWith("[DEFAULT]\n")
        .contains("transport_url = " + Samples.TRANSPORT_URL)
        .contains("[database]\nconnection = " + Samples.DB_URL)
        .contains("[oslo_concurrency]\nlock_path = /var/lib/cinder/tmp");
    assertThat(files)
        .containsOnlyKeys(
            "cinder.conf",
            "volume-ceph-ssd.conf",
            "volume-ceph-hdd.conf",
            "backup.conf",
            "upgrade-check.conf");
  }

  @Test
  void eachBackendEnablesOnlyItselfAndOnlyActiveActiveOnesAreClustered() {
    Map<String, String> files =
        CinderConf.render("cinder", spec, Samples.DB_URL, Samples.TRANSPORT_URL);
    assertThat(files.get("volume-ceph-ssd.conf"))
        .contains("enabled_backends = ceph-ssd")
        .doesNotContain("cluster =")
        .contains(
            "[ceph-ssd]\nvolume_backend_name = ceph-ssd\nvolume_driver = cinder.volume.drivers.rbd.RBDDriver");
    assertThat(files.get("volume-ceph-hdd.conf"))
        .contains("enabled_backends = ceph-hdd")
        .contains("cluster = cinder-ceph-hdd");
    assertThat(files.get("backup.conf"))
        .contains("backup_driver = cinder.backup.drivers.posix.PosixBackupDriver");
  }

  @Test
  void userConfigCannotOverrideIdentityOrSecrets() {
    Map<String, Map<String, String>> config = new LinkedHashMap<>();
    config.put("DEFAULT", Map.of("debug", "true", "transport_url", "rabbit://evil/"));
    spec.setConfig(config);
    String common =
        CinderConf.render("cinder", spec, Samples.DB_URL, Samples.TRANSPORT_URL).get("cinder.conf");
    assertThat(common)
        .contains("debug = true")
        .contains("transport_url = " + Samples.TRANSPORT_URL)
        .doesNotContain("rabbit://evil/");
  }

  @Test
  void noBackupFileWithoutBackupService() {
    spec.getBackup().setReplicas(0);
    assertThat(CinderConf.render("cinder", spec, Samples.DB_URL, Samples.TRANSPORT_URL))
        .doesNotContainKey("backup.conf");
  }

  @Test
  void renderingIsDeterministic() {
    assertThat(CinderConf.render("cinder", spec, Samples.DB_URL, Samples.TRANSPORT_URL))
        .isEqualTo(CinderConf.render("cinder", spec, Samples.DB_URL, Samples.TRANSPORT_URL));
  }
}
