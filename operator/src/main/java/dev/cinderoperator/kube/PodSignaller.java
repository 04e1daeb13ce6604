package dev.cinderoperator.kube;

/** Sends a signal to PID 1 of a pod's main container (used to reset Cinder's version pins). */
public interface PodSignaller {
  /**
   * Sends SIGHUP to PID 1 of the pod's first container.
   *
   * @throws SignalFailedException when the signal could not be delivered
   */
  void sighup(String namespace, String pod);

  /** Delivery failed; the pod was not signalled. */
  class SignalFailedException extends RuntimeException {
    public SignalFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
