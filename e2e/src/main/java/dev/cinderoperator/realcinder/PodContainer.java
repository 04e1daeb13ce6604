package dev.cinderoperator.realcinder;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One container on this machine, run the way a container runtime runs it: util-linux's {@code
 * unshare} gives it its own mount, PID, UTS and IPC namespaces; {@code container.sh} makes its root
 * an overlay over the image's root filesystem (never written), mounts {@code /proc}, a small {@code
 * /dev}, a private {@code /tmp} and the pod's volumes, and execs the container's command in a
 * chroot, where it is PID 1. The network is the host's (loopback shared).
 *
 * <p>Signals go to the container's PID 1 through its PID as the host sees it (never the host's own
 * PID 1); {@link #exec} runs a command inside the container's namespaces and root with {@code
 * nsenter}, as {@code kubectl exec} would.
 */
final class PodContainer {
  static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private static final Object SCRIPT_LOCK = new Object();

  /** A bind mount of a pod volume's directory or file. */
  record Mount(Path source, String target, boolean readOnly) {
    String arg() {
      return source + ":" + target + ":" + (readOnly ? "ro" : "rw");
    }
  }

  /** What to run: the image's root, the pod's files, the command and its environment. */
  record Spec(
      Path imageRoot,
      PodDirectory dir,
      String hostname,
      boolean readOnlyRoot,
      List<Mount> mounts,
      Map<String, String> environment,
      List<String> command) {}

  /** How an exec'd command ended. */
  record ExecOutcome(int exitCode, String output) {}

  private final Spec spec;
  private final Process process;
  private volatile long initPid;

  private PodContainer(Spec spec, Process process) {
    this.spec = spec;
    this.process = process;
  }

  /** Starts the container; its output goes to the pod directory's {@code output.log}. */
  static PodContainer start(Spec spec) {
    Path script = script(spec.dir().root().getParent());
    List<String> argv = new ArrayList<>();
    argv.addAll(
        List.of(
            "/usr/bin/unshare",
            "--mount",
            "--pid",
            "--uts",
            "--ipc",
            "--fork",
            "--kill-child",
            "--propagation",
            "private",
            "/bin/sh",
            script.toString(),
            spec.imageRoot().toString(),
            spec.dir().root().toString(),
            spec.hostname(),
            spec.readOnlyRoot() ? "1" : "0"));
    for (Mount m : spec.mounts()) {
      argv.add(m.arg());
    }
    argv.add("--");
    argv.addAll(spec.command());
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .directory(spec.dir().root().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.dir().output().toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(spec.environment());
    try {
      return new PodContainer(spec, pb.start());
    } catch (IOException e) {
      throw new IllegalStateException("could not run unshare: " + e.getMessage(), e);
    }
  }

  /** Whether this machine has what containers need: root, unshare, nsenter, overlayfs. */
  static Optional<String> unavailableReason() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of("not root (containers need mount and PID namespaces)");
    }
    for (String tool : List.of("/usr/bin/unshare", "/usr/bin/nsenter", "/usr/sbin/chroot")) {
      if (!Files.isExecutable(Path.of(tool))) {
        return Optional.of("no " + tool + " (util-linux, coreutils)");
      }
    }
    try {
      if (!Files.readString(Path.of("/proc/filesystems")).contains("overlay")) {
        return Optional.of("the kernel has no overlayfs (modprobe overlay)");
      }
    } catch (IOException e) {
      return Optional.of("cannot read /proc/filesystems: " + e.getMessage());
    }
    return Optional.empty();
  }

  Process process() {
    return process;
  }

  PodDirectory dir() {
    return spec.dir();
  }

  boolean alive() {
    return process.isAlive();
  }

  /**
   * The container's PID 1 as the host sees it, once its set-up is done: unshare's only child, which
   * execs the container's command. Never the host's PID 1, and always in another PID namespace than
   * this JVM.
   */
  long initPid() {
    long pid = initPid;
    if (pid > 0) {
      return pid;
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      Optional<ProcessHandle> child =
          Files.exists(spec.dir().root().resolve("running"))
              ? process.children().findFirst()
              : Optional.empty();
      if (child.isPresent()) {
        pid = child.get().pid();
        if (pid <= 1 || !inOtherPidNamespace(pid)) {
          // unshare has forked but the child has not entered the new namespace yet
          sleepBriefly();
          continue;
        }
        initPid = pid;
        return pid;
      }
      sleepBriefly();
    }
    throw new IllegalStateException(
        "the container in " + spec.dir().root() + " has no running PID 1");
  }

  private static boolean inOtherPidNamespace(long pid) {
    try {
      Path ours = Files.readSymbolicLink(Path.of("/proc/self/ns/pid"));
      return !ours.equals(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid")));
    } catch (IOException e) {
      return false;
    }
  }

  /** Sends a signal (e.g. {@code SIGHUP}) to the container's PID 1 from the host. */
  void signal(String signal) {
    long pid = initPid();
    String name = signal.startsWith("SIG") ? signal.substring(3) : signal;
    try {
      Process kill = new ProcessBuilder("/bin/kill", "-s", name, Long.toString(pid)).start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -s " + name + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Runs {@code argv} inside the container (its mount, PID, UTS and IPC namespaces, its root, its
   * environment), as {@code kubectl exec} does: a command the image lacks fails there.
   */
  ExecOutcome exec(List<String> argv, Duration timeout) {
    long pid = initPid();
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "/usr/bin/nsenter",
            "--target",
            Long.toString(pid),
            "--mount",
            "--pid",
            "--uts",
            "--ipc",
            "--root",
            "--wd=/",
            "--"));
    command.addAll(argv);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(spec.environment());
    try {
      Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException(
              new TimeoutException("exec " + argv + " still running after " + timeout));
        }
        out = in.readAllBytes();
      }
      return new ExecOutcome(
          p.exitValue(), new String(out, java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * SIGTERM to PID 1, then after {@code grace} SIGKILL (which ends every process of the PID
   * namespace), and waits for unshare to exit.
   */
  void stop(Duration grace) {
    try {
      if (!process.isAlive()) {
        return;
      }
      long pid;
      try {
        pid = initPid();
      } catch (IllegalStateException e) {
        process.destroyForcibly(); // unshare without a child: --kill-child has nothing to kill
        process.waitFor(5, TimeUnit.SECONDS);
        return;
      }
      ProcessHandle init = ProcessHandle.of(pid).orElse(null);
      if (init == null) {
        process.waitFor(5, TimeUnit.SECONDS);
        return;
      }
      init.destroy();
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        init.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly(); // --kill-child sends SIGKILL to PID 1 as unshare dies
          process.waitFor(5, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for the container to end and returns its exit code (unshare passes PID 1's on). */
  int waitFor(Duration timeout) throws InterruptedException, TimeoutException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new TimeoutException("still running after " + timeout);
    }
    return process.exitValue();
  }

  private static void sleepBriefly() {
    try {
      Thread.sleep(10); // polling the kernel's process table, not waiting for a state we set
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** container.sh, written once next to the pods' directories. */
  private static Path script(Path dir) {
    Path script = dir.resolve("container.sh");
    synchronized (SCRIPT_LOCK) {
      if (!Files.exists(script)) {
        try (InputStream in = PodContainer.class.getResourceAsStream("container.sh")) {
          if (in == null) {
            throw new IllegalStateException("container.sh is missing from the classpath");
          }
          Files.createDirectories(dir);
          Files.write(script, in.readAllBytes());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return script;
  }
}
