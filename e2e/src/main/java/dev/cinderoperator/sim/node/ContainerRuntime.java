package dev.cinderoperator.sim.node;

import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * What runs inside a pod's main container, chosen per image. The kubelet calls it on its own
 * thread; implementations must return quickly (start a process, do not wait for it).
 */
public interface ContainerRuntime {

  /**
   * Starts the container's process.
   *
   * @throws RuntimeException when the process exits at once; the kubelet then crash-loops the pod
   */
  void start(Pod pod);

  /** Stops the process (SIGTERM, then gone). Called once per start, also after a crash. */
  void stop(Pod pod);

  /**
   * Whether the container {@link #stop} was called for has exited. A real kubelet removes a pod
   * only once its containers are gone (killed at the end of the grace period if need be), so a
   * StatefulSet's successor of the same name never meets a process of its predecessor; the
   * simulated kubelet asks this before it lets the pod go.
   */
  default boolean stopped(Pod pod) {
    return true;
  }

  /** The readiness probe of a running container. */
  boolean ready(Pod pod);

  /**
   * Delivers a signal to PID 1 of the container.
   *
   * @throws RuntimeException when the process cannot take it
   */
  void signal(Pod pod, String signal);

  /**
   * Where this machine reaches a port the container declares (its stand-in for pod IP and port);
   * empty when nothing listens for real.
   */
  default Optional<InetSocketAddress> endpoint(Pod pod, int containerPort) {
    return Optional.empty();
  }

  /**
   * Runs {@code argv} in the pod's main container, as {@code kubectl exec} does.
   *
   * @return its exit code and output; a program the image lacks exits 126 or 127 as a container
   *     runtime reports it
   * @throws RuntimeException when the container cannot run anything (it is not running)
   */
  ExecResult exec(Pod pod, List<String> argv);

  /** How an exec'd command ended: its exit code and its output. */
  record ExecResult(int exitCode, String output) {}

  /** Runs a job pod's container to completion; null while its work goes on (asked again). */
  JobResult runJob(Pod pod);

  /** How a job container ended: its exit code and its termination message. */
  record JobResult(int exitCode, String message) {
    public static JobResult success(String message) {
      return new JobResult(0, message);
    }
  }
}
