package dev.cinderoperator.cinder;

/** A services row that would stop a service of the target release from starting, and why. */
public record BlockingRow(ServiceRow row, Reason reason, String message) {

  /** The exception Cinder would raise. */
  public enum Reason {
    /** NULL or unreadable versions: {@code ServiceTooOld}. */
    SERVICE_TOO_OLD,
    /** An object version missing from the target's history: {@code CappedVersionUnknown}. */
    CAPPED_VERSION_UNKNOWN
  }
}
