package dev.cinderoperator.db.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starting and stopping test processes by the PIDs this JVM started; never by name. */
final class TestProcesses {
  private TestProcesses() {}

  static Process start(List<String> command, Map<String, String> env, Path log) {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // stdin/stdout are no terminal: oslo.service treats the process as a daemon, so SIGHUP resets
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().putAll(env);
    // in the log's directory: a crashing Erlang VM writes its MnesiaCore dump to its working
    // directory, which would otherwise be the module's (seen once under load in e2e/)
    pb.directory(log.getParent().toFile());
    try {
      return pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + command.get(0), e);
    }
  }

  /** SIGTERM, then SIGKILL to the process and its descendants after {@code graceSeconds}. */
  static void stop(Process p, int graceSeconds) {
    if (p == null) {
      return;
    }
    List<ProcessHandle> children = p.descendants().toList();
    p.destroy();
    try {
      if (!p.waitFor(graceSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  /** SIGKILL to the process and its descendants: a crash. */
  static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void signal(long pid, String signal) {
    try {
      Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
      if (!k.waitFor(5, TimeUnit.SECONDS) || k.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
