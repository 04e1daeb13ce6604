package dev.cinderoperator.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.OperatorException;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes API request that failed for a reason that passes by itself: 429 (throttled), a 5xx,
 * no answer in time or no connection, a 409 because another writer changed the object first, or
 * JOSDK's cache not yet showing the operator's own write. The reconcile is retried after a short
 * wait and the status says so; nothing is decided on what the failed request would have returned.
 *
 * @param code the HTTP status, 0 when no answer came
 * @param reason the Status reason (ServiceUnavailable, TooManyRequests, ...) or what happened
 * @param request the request as {@code METHOD /path} (no host), or the operation when only that is
 *     known, or null
 */
public record TransientApiFailure(int code, String reason, String request) {
  private static final Pattern EXECUTING =
      Pattern.compile(
          "(?:Failure executing|while executing):? (\\w+) (?:at: )?(\\S+?)\\.?(?:\\s|$)");
  private static final Pattern OPERATION =
      Pattern.compile(
          "Operation: \\[(\\w+)]\\s+for kind: \\[(\\w+)]\\s+with name: \\[([^\\]]*)]\\s+in"
              + " namespace: \\[([^\\]]*)]");

  /** The failure, if {@code e} (or what caused it) is one that passes by itself. */
  public static Optional<TransientApiFailure> of(Throwable e) {
    String request = null;
    for (Throwable t = e; t != null; t = next(t)) {
      if (request == null) {
        request = request(message(t));
      }
      if (t instanceof KubernetesClientException k && k.getCode() > 0) {
        int code = k.getCode();
        if (code != 409 && code != 429 && code < 500) {
          return Optional.empty(); // 400, 403, 404, 422: an answer, not a passing failure
        }
        String reason =
            k.getStatus() != null && k.getStatus().getReason() != null
                ? k.getStatus().getReason()
                : "HTTP " + code;
        String inner = request(message(t));
        return Optional.of(new TransientApiFailure(code, reason, inner != null ? inner : request));
      }
    }
    // no answer at all: a timeout, a failed connection, or JOSDK's cache behind a write
    for (Throwable t = e; t != null; t = next(t)) {
      String m = message(t);
      if (t instanceof TimeoutException
          || t instanceof java.net.http.HttpTimeoutException
          || m.contains("timeout period")
          || m.contains("timed out")) {
        return Optional.of(new TransientApiFailure(0, "Timeout", request));
      }
      if (t instanceof OperatorException && m.startsWith("Timeout of resource polling")) {
        return Optional.of(new TransientApiFailure(0, "CacheBehind", request));
      }
    }
    for (Throwable t = e; t != null; t = next(t)) {
      if (t instanceof IOException) {
        return Optional.of(new TransientApiFailure(0, "ConnectionFailed", request));
      }
    }
    return Optional.empty();
  }

  private static Throwable next(Throwable t) {
    return t.getCause() == t ? null : t.getCause();
  }

  private static String message(Throwable t) {
    return t.getMessage() == null ? "" : t.getMessage();
  }

  /** Another writer changed the object first: read again and write again, nothing to report. */
  public boolean conflict() {
    return code == 409;
  }

  /** For the status and the log: what was asked and what came back, without the server's URL. */
  public String describe() {
    String what = request == null ? "a request" : request;
    return switch (reason) {
      case "Timeout" -> "the Kubernetes API did not answer " + what + " in time";
      case "ConnectionFailed" -> "the Kubernetes API could not be reached for " + what;
      case "CacheBehind" -> "the operator's cache has not yet shown its own status write";
      default -> "the Kubernetes API answered " + code + " " + reason + " to " + what;
    };
  }

  private static String request(String message) {
    Matcher m = EXECUTING.matcher(message);
    if (m.find()) {
      String target = m.group(2);
      try {
        URI uri = URI.create(target);
        if (uri.getRawPath() != null && uri.getHost() != null) {
          target = uri.getRawPath();
        }
      } catch (IllegalArgumentException e) {
        // not a URL: keep it as it is
      }
      return m.group(1) + " " + target;
    }
    Matcher op = OPERATION.matcher(message);
    if (op.find()) {
      return op.group(1) + " " + op.group(2) + " " + op.group(4) + "/" + op.group(3);
    }
    return null;
  }
}
