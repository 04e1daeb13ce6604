package dev.cinderoperator.realcinder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One container's files on this machine: the mount points of its root ({@code rootfs/}, over a
 * writable layer in {@code layer/}, both mounted only inside the container's mount namespace), its
 * pod's volumes ({@code volumes/<name>/}), its output (stdout and stderr: Cinder's log, as {@code
 * kubectl logs} shows it), its termination message and, for an imitated release, the start-up hook.
 */
record PodDirectory(Path root) {
  static PodDirectory create(Path root) {
    try {
      Files.createDirectories(root.resolve("rootfs"));
      Files.createDirectories(root.resolve("layer"));
      Files.createDirectories(root.resolve("volumes"));
      Files.createDirectories(root.resolve("hook"));
      Files.createFile(root.resolve("termination-log"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new PodDirectory(root);
  }

  /** The directory behind one of the pod's volumes. */
  Path volume(String name) {
    Path dir = root.resolve("volumes").resolve(name);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  Path hook() {
    return root.resolve("hook");
  }

  /** stdout and stderr: a file, not a terminal, so SIGHUP resets pins instead of ending it. */
  Path output() {
    return root.resolve("output.log");
  }

  /** The container's {@code /dev/termination-log}. */
  Path terminationLog() {
    return root.resolve("termination-log");
  }

  /** The output so far (empty when there is none yet). */
  String outputText() {
    return read(output());
  }

  /** What the container wrote to its termination log. */
  String terminationMessage() {
    return read(terminationLog());
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
