package dev.cinderoperator.kube;

import dev.cinderoperator.cinder.CinderCommands;
import dev.cinderoperator.workload.CinderPodTemplates;
import java.util.ArrayList;
import java.util.List;

/**
 * SIGHUP to PID 1 of a pod's Cinder container with what every Cinder image has: the shell's builtin
 * {@code kill} (the container's own start command needs {@code /bin/sh}), else Python's {@code
 * os.kill}. {@code /bin/kill} comes from procps, which minimal images lack.
 */
public final class ExecPodSignaller implements PodSignaller {
  private final PodExec exec;

  public ExecPodSignaller(PodExec exec) {
    this.exec = exec;
  }

  @Override
  public void sighup(String namespace, String pod) {
    List<String> failures = new ArrayList<>();
    RuntimeException cause = null;
    for (List<String> argv : CinderCommands.sighupPid1()) {
      try {
        PodExec.ExecResult r = exec.exec(namespace, pod, CinderPodTemplates.CONTAINER, argv);
        if (r.exitCode() == 0) {
          return;
        }
        failures.add(describe(argv) + " exited " + r.exitCode() + tail(r.output()));
      } catch (RuntimeException e) {
        cause = e;
        failures.add(describe(argv) + ": " + e.getMessage());
      }
    }
    throw new SignalFailedException(
        "could not send SIGHUP to PID 1 of pod " + pod + ": " + String.join("; ", failures), cause);
  }

  private static String describe(List<String> argv) {
    return argv.get(0).endsWith("sh") ? "the shell's kill" : "python3's os.kill";
  }

  private static String tail(String output) {
    if (output == null || output.isBlank()) {
      return "";
    }
    String s = output.strip();
    return ": " + (s.length() > 200 ? "..." + s.substring(s.length() - 200) : s);
  }
}
