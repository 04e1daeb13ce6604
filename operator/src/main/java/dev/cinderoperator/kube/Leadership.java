package dev.cinderoperator.kube;

/**
 * Whether this operator process may act now. A single replica always may; with leader election only
 * the holder of the Lease, and only while its last renewal is fresh ({@link LeaderFence}). Checked
 * before every act outside the Kubernetes API (database writes, signals); the API's writes are
 * fenced in the client itself.
 */
@FunctionalInterface
public interface Leadership {
  /** No leader election: one replica, always allowed. */
  Leadership ALWAYS = () -> true;

  boolean mayAct();

  /**
   * @throws NotLeadingException when this process may not act now
   */
  default void requireLeading(String act) {
    if (!mayAct()) {
      throw new NotLeadingException(act);
    }
  }

  /** An act refused because this process does not (or may no longer) hold the Lease. */
  final class NotLeadingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotLeadingException(String act) {
      super("not the leader: " + act + " refused");
    }

    /** Whether {@code e}, or what caused it, is a refusal of the fence. */
    public static boolean in(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
        if (t instanceof NotLeadingException) {
          return true;
        }
      }
      return false;
    }
  }
}
