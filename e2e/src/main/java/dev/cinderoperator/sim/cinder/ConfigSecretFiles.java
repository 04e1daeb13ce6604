package dev.cinderoperator.sim.cinder;

import dev.cinderoperator.sim.node.SecretData;
import dev.cinderoperator.workload.Names;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;

/** The cluster's config Secret as simulated Cinder reads it: its files, mounted in a pod. */
final class ConfigSecretFiles {
  private final KubernetesClient client;

  ConfigSecretFiles(KubernetesClient client) {
    this.client = client;
  }

  /** {@code [DEFAULT] cluster} from the cluster's config Secret, preferring a per-backend file. */
  String configuredCluster(String ns, String cluster, String backend) {
    Map<String, String> files = files(ns, cluster);
    String text = null;
    for (Map.Entry<String, String> e : files.entrySet()) {
      if (e.getKey().endsWith(".conf") && backend != null && e.getKey().contains(backend)) {
        text = e.getValue();
      }
    }
    if (text == null) {
      text = files.get("cinder.conf");
    }
    if (text == null) {
      return null;
    }
    String value = IniFile.parse(text).get("DEFAULT", "cluster");
    return value == null || value.isBlank() ? null : value.strip();
  }

  /**
   * The config files a job's container reads ({@code --config-file} arguments in the config
   * Secret's directory), merged in that order.
   */
  IniFile jobConfig(Pod pod, String ns, String cluster) {
    Map<String, String> files = files(ns, cluster);
    List<String> argv = pod.getSpec().getContainers().get(0).getCommand();
    StringBuilder text = new StringBuilder();
    String dir = dev.cinderoperator.cinder.CinderConf.CONFIG_DIR + "/";
    for (int i = 0; argv != null && i + 1 < argv.size(); i++) {
      if (argv.get(i).equals("--config-file") && argv.get(i + 1).startsWith(dir)) {
        text.append(files.getOrDefault(argv.get(i + 1).substring(dir.length()), "")).append('\n');
      }
    }
    return IniFile.parse(text.toString());
  }

  /** The Secret's files, decoded; none when it is missing or cannot be read. */
  private Map<String, String> files(String ns, String cluster) {
    try {
      Secret secret = client.secrets().inNamespace(ns).withName(Names.configSecret(cluster)).get();
      return secret == null ? Map.of() : SecretData.decoded(secret);
    } catch (KubernetesClientException e) {
      return Map.of();
    }
  }
}
