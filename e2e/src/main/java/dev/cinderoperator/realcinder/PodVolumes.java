package dev.cinderoperator.realcinder;

import dev.cinderoperator.sim.node.SecretData;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's volume mounts as bind mounts of this machine's directories: a Secret's items
 * written into the pod's directory, an emptyDir a fresh directory there, a hostPath this machine's
 * own directory (the machine is the node), and the termination log.
 */
final class PodVolumes {
  private final KubernetesClient client;

  PodVolumes(KubernetesClient client) {
    this.client = client;
  }

  /** The mounts of the container's volumeMounts, then its termination message path. */
  List<PodContainer.Mount> mounts(Pod pod, Container c, PodDirectory dir) {
    Map<String, Volume> volumes = new LinkedHashMap<>();
    for (Volume v : pod.getSpec().getVolumes()) {
      volumes.put(v.getName(), v);
    }
    List<PodContainer.Mount> mounts = new ArrayList<>();
    for (VolumeMount vm :
        c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
      Volume v = volumes.get(vm.getName());
      if (v == null) {
        throw new IllegalStateException(
            "pod " + pod.getMetadata().getName() + " mounts no volume named " + vm.getName());
      }
      Path source = dir.volume(v.getName());
      if (v.getSecret() != null) {
        materializeSecret(pod, v, source);
      } else if (v.getHostPath() != null) {
        // this machine is the node: a hostPath is its own directory, shared by every pod
        source = Path.of(v.getHostPath().getPath());
      } else if (v.getEmptyDir() == null) {
        throw new IllegalStateException(
            "volume " + v.getName() + ": only Secret, hostPath and emptyDir volumes run here");
      }
      if (vm.getSubPath() != null && !vm.getSubPath().isEmpty()) {
        source = source.resolve(vm.getSubPath());
      }
      mounts.add(
          new PodContainer.Mount(source, vm.getMountPath(), Boolean.TRUE.equals(vm.getReadOnly())));
    }
    String terminationPath =
        c.getTerminationMessagePath() == null
            ? "/dev/termination-log"
            : c.getTerminationMessagePath();
    mounts.add(new PodContainer.Mount(dir.terminationLog(), terminationPath, false));
    return mounts;
  }

  private void materializeSecret(Pod pod, Volume v, Path dir) {
    String name = v.getSecret().getSecretName();
    Secret secret =
        client.secrets().inNamespace(pod.getMetadata().getNamespace()).withName(name).get();
    if (secret == null) {
      throw new IllegalStateException(
          "secret " + name + " of pod " + pod.getMetadata().getName() + " does not exist");
    }
    Map<String, String> files = SecretData.decoded(secret);
    List<KeyToPath> items = v.getSecret().getItems();
    if (items == null || items.isEmpty()) {
      files.forEach((k, text) -> write(dir.resolve(k), text));
    } else {
      for (KeyToPath item : items) {
        String text = files.get(item.getKey());
        if (text == null) {
          throw new IllegalStateException("secret " + name + " has no key " + item.getKey());
        }
        write(dir.resolve(item.getPath()), text);
      }
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
