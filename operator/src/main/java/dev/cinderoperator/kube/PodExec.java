package dev.cinderoperator.kube;

import java.util.List;

/** Runs a command in a pod's container, as {@code kubectl exec} does. */
public interface PodExec {
  /**
   * @return the command's exit code and its output (stdout and stderr)
   * @throws RuntimeException when the command could not be run at all (no such pod, no running
   *     container, the exec connection failed)
   */
  ExecResult exec(String namespace, String pod, String container, List<String> argv);

  /** How the command ended. */
  record ExecResult(int exitCode, String output) {}
}
