package dev.cinderoperator.sim.apiserver;

/** What the simulated API server can do to a request instead of (or besides) serving it. */
public enum Fault {
  /** 500 InternalError, nothing stored (an apiserver or etcd error). */
  INTERNAL_ERROR(500, "InternalError", "Internal error occurred: etcdserver: request timed out"),
  /** 503 ServiceUnavailable, nothing stored (an apiserver restarting or overloaded). */
  UNAVAILABLE(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
  /** 429 TooManyRequests with Retry-After: 1, nothing stored (API Priority and Fairness). */
  THROTTLED(429, "TooManyRequests", "the server has received too many requests"),
  /** No answer before the client gives up, nothing stored. */
  TIMEOUT(504, "Timeout", "the request timed out"),
  /**
   * Served and stored, but the answer never reaches the client: it times out, not knowing its write
   * happened (a network cut after the commit).
   */
  LOST_RESPONSE(200, null, null),
  /** 409 Conflict on a write, nothing stored (another writer changed the object first). */
  CONFLICT(
      409,
      "Conflict",
      "the object has been modified; please apply your changes to the latest"
          + " version and try again"),
  /**
   * The client's watch streams end with 410 Expired ("too old resource version"), so its informers
   * list again; the request itself is served.
   */
  WATCH_CUT(410, "Expired", "too old resource version");

  private final int code;
  private final String reason;
  private final String message;

  Fault(int code, String reason, String message) {
    this.code = code;
    this.reason = reason;
    this.message = message;
  }

  public int code() {
    return code;
  }

  public String reason() {
    return reason;
  }

  public String message() {
    return message;
  }

  /** Whether the fault answers the request itself (the others serve it). */
  public boolean replacesAnswer() {
    return this != LOST_RESPONSE && this != WATCH_CUT;
  }
}
