package dev.cinderoperator.sim.real;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One pod's files on this machine: {@code etc/} for the config Secret's files (the container's
 * {@link dev.cinderoperator.cinder.CinderConf#CONFIG_DIR}), {@code state/} for its {@code
 * /var/lib/cinder}, Cinder's log, the process's stdout and stderr, and the termination message of a
 * job.
 */
record PodDirectory(Path root) {
  static PodDirectory create(Path root) {
    try {
      Files.createDirectories(root.resolve("etc"));
      Files.createDirectories(root.resolve("state").resolve("tmp"));
      Files.createDirectories(root.resolve("backups"));
      Files.createDirectories(root.resolve("hook"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new PodDirectory(root);
  }

  Path etc() {
    return root.resolve("etc");
  }

  Path state() {
    return root.resolve("state");
  }

  Path hook() {
    return root.resolve("hook");
  }

  Path backups() {
    return root.resolve("backups");
  }

  /** Cinder's own log ({@code log_file}). */
  Path log() {
    return root.resolve("cinder.log");
  }

  /** stdout and stderr: a file, not a terminal, so SIGHUP resets pins instead of ending it. */
  Path output() {
    return root.resolve("output.log");
  }

  Path terminationLog() {
    return root.resolve("termination-log");
  }

  Path localConf() {
    return root.resolve("this-machine.conf");
  }
}
