package dev.cinderoperator.bench;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.VolumeBackendSpec;
import dev.cinderoperator.e2e.Clusters;
import dev.cinderoperator.sim.SimulatedEnvironment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.stream.IntStream;

/** The shapes the benchmarks upgrade (schedulers/backends/backup pods/API pods). */
final class BenchClusters {
  static final String FROM = "2023.2";
  static final String TO = "2024.1";

  private BenchClusters() {}

  /** 1/1/1/1: one pod of each kind, one active/passive backend. */
  static CinderCluster small(String name, String ns) {
    return Clusters.of(name, ns, FROM, 1, 1, 1, Clusters.backend("b00", 1));
  }

  /** 3/N/3/3: three schedulers, N active/passive backends of one pod, three backup and API pods. */
  static CinderCluster large(String name, String ns, int backends) {
    VolumeBackendSpec[] volumes =
        IntStream.range(0, backends)
            .mapToObj(i -> Clusters.backend(String.format("b%02d", i), 1))
            .toArray(VolumeBackendSpec[]::new);
    return Clusters.of(name, ns, FROM, 3, 3, 3, volumes);
  }

  /**
   * Sets {@code [DEFAULT] report_interval} to the simulated Cinder's heartbeat period, as a real
   * cinder.conf drives real Cinder: the operator reads it to know when a heartbeat is due. Whole
   * seconds only (oslo.config's type); any other period is left to Cinder's default (10 s), and the
   * operator then looks at the poll.
   */
  static CinderCluster withReportInterval(CinderCluster cc, java.time.Duration interval) {
    if (interval.toMillis() % 1000 != 0 || interval.isZero()) {
      return cc;
    }
    long seconds = interval.toMillis() / 1000;
    var config = new java.util.LinkedHashMap<String, java.util.Map<String, String>>();
    if (cc.getSpec().getConfig() != null) {
      config.putAll(cc.getSpec().getConfig());
    }
    var defaults = new java.util.LinkedHashMap<String, String>();
    if (config.get("DEFAULT") != null) {
      defaults.putAll(config.get("DEFAULT"));
    }
    defaults.put("report_interval", Long.toString(seconds));
    config.put("DEFAULT", defaults);
    cc.getSpec().setConfig(config);
    return cc;
  }

  static String shape(CinderCluster cc) {
    var s = cc.getSpec();
    return s.getScheduler().getReplicas()
        + "/"
        + s.getVolumes().size()
        + "/"
        + s.backupReplicas()
        + "/"
        + s.getApi().getReplicas();
  }

  /**
   * Sets the target release and image, as a person would with kubectl edit: again on a conflict
   * (the operator wrote the status between the read and the write), as kubectl asks one to.
   */
  static void requestUpgrade(SimulatedEnvironment env, String ns, String name) {
    for (int attempt = 1; ; attempt++) {
      try {
        env.client()
            .resources(CinderCluster.class)
            .inNamespace(ns)
            .withName(name)
            .edit(
                cc -> {
                  cc.getSpec().setRelease(TO);
                  cc.getSpec().setImage(Clusters.REGISTRY + TO);
                  return cc;
                });
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == 5) {
          throw e;
        }
      }
    }
  }

  /** Ready on the given release (the operator has set status.release). */
  static boolean readyOn(SimulatedEnvironment env, String ns, String name, String release) {
    CinderCluster cc = env.get(ns, name);
    return cc != null
        && cc.getStatus() != null
        && release.equals(cc.getStatus().getRelease())
        && cc.getStatus().getPhase() == Phase.Ready;
  }
}
