package dev.cinderoperator.db.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A pod's container run on this machine with the files the pod would see: in a private mount
 * namespace ({@code unshare --mount}), each of the pod's Secret and emptyDir volumes mounted at its
 * {@code mountPath} (read-only where the mount says so), a directory the host lacks (e.g. {@code
 * /etc/cinder-operator}) made in an overlay of its parent, and the root file system read-only when
 * the container asks for it. The host's own files stay as they are: Debian's installed Cinder, with
 * its {@code /etc/cinder}, plays the image.
 */
public final class PodSandbox {
  private final Path dir;
  private final PodSpec pod;
  private final Map<String, String> secretData;

  /**
   * @param dir where the volumes' contents and overlay layers go; must not lie under a mount path
   *     of the pod (e.g. {@code /tmp})
   * @param secretData the data of the Secret the pod's secret volumes name
   */
  public PodSandbox(Path dir, PodSpec pod, Map<String, String> secretData) {
    this.dir = dir.toAbsolutePath();
    this.pod = pod;
    this.secretData = secretData;
  }

  /** Why pods cannot be sandboxed here (not root, no unshare), or empty. */
  public static Optional<String> unavailableReason() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of("root (mount namespaces need it)");
    }
    if (TestMariaDb.which("unshare").isEmpty()) {
      return Optional.of("unshare (util-linux)");
    }
    return Optional.empty();
  }

  /** Starts the container's own command. */
  public Process start(Map<String, String> env, Path log) {
    Container c = pod.getContainers().get(0);
    return start(c.getCommand(), env, log);
  }

  /** Starts {@code argv} in the pod's container layout, stdout and stderr to {@code log}. */
  public Process start(List<String> argv, Map<String, String> env, Path log) {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of("unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", setup(), "pod"));
    command.addAll(argv);
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(new java.io.File("/"))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().putAll(env);
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops a sandboxed process: SIGTERM, then SIGKILL to it and its children. */
  public static void stop(Process p) {
    TestProcesses.stop(p, 10);
  }

  private String setup() {
    Container c = pod.getContainers().get(0);
    StringBuilder s = new StringBuilder("set -e\n");
    List<String> overlays = new ArrayList<>();
    int n = 0;
    for (VolumeMount m : c.getVolumeMounts()) {
      Path source = materialize(volume(m.getName()));
      Path target = Path.of(m.getMountPath());
      if (!Files.isDirectory(target)) {
        Path parent = target.getParent();
        if (parent == null || parent.getParent() == null || !Files.isDirectory(parent)) {
          throw new IllegalArgumentException(
              "cannot make mount point " + target + ": its parent must exist and not be /");
        }
        if (!overlays.contains(parent.toString())) {
          Path layer = dir.resolve("overlay-" + n++);
          mkdirs(layer.resolve("upper"));
          mkdirs(layer.resolve("work"));
          s.append(
              String.format(
                  "mount -t overlay overlay -o lowerdir=%s,upperdir=%s,workdir=%s %s%n",
                  parent, layer.resolve("upper"), layer.resolve("work"), parent));
          overlays.add(parent.toString());
        }
        s.append("mkdir -p ").append(target).append('\n');
      }
      boolean ro = Boolean.TRUE.equals(m.getReadOnly());
      s.append("mount --bind ")
          .append(ro ? "-o ro " : "")
          .append(source)
          .append(' ')
          .append(target)
          .append('\n');
    }
    if (c.getSecurityContext() != null
        && Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem())) {
      for (String o : overlays) {
        s.append("mount -o remount,bind,ro ").append(o).append('\n');
      }
      s.append("mount -o remount,bind,ro /\n");
    }
    s.append("exec \"$@\"\n");
    return s.toString();
  }

  private Volume volume(String name) {
    return pod.getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no volume " + name + " in the pod"));
  }

  private Path materialize(Volume v) {
    Path d = dir.resolve("volumes").resolve(v.getName());
    if (Files.isDirectory(d)) {
      return d;
    }
    mkdirs(d);
    if (v.getSecret() != null) {
      List<KeyToPath> items = v.getSecret().getItems();
      try {
        if (items == null || items.isEmpty()) {
          for (Map.Entry<String, String> e : secretData.entrySet()) {
            Files.writeString(d.resolve(e.getKey()), e.getValue());
          }
        } else {
          for (KeyToPath item : items) {
            String value = secretData.get(item.getKey());
            if (value == null) {
              throw new IllegalArgumentException("the Secret has no key " + item.getKey());
            }
            Files.writeString(d.resolve(item.getPath()), value);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    } else if (v.getEmptyDir() == null) {
      throw new IllegalArgumentException(
          "volume " + v.getName() + " is neither Secret nor emptyDir");
    }
    return d;
  }

  private static void mkdirs(Path p) {
    try {
      Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
