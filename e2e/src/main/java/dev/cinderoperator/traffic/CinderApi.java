package dev.cinderoperator.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;

/**
 * The few calls of Cinder's block storage API v3 the traffic client makes, with the JDK's
 * HttpClient against a loopback URL. With {@code auth_strategy = noauth} the URL carries no project
 * and the token is {@code user:project}; noauth makes the caller an admin.
 */
final class CinderApi {
  static final ObjectMapper JSON = new ObjectMapper();

  /** How one request ended: its HTTP status (0: none), body, latency and, if any, the failure. */
  record Response(int status, JsonNode body, long nanos, String failure) {
    boolean ok() {
      return failure == null;
    }
  }

  private final HttpClient http;
  private final URI base;
  private final String token;
  private final Duration timeout;

  CinderApi(URI base, String project, Duration timeout) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    this.base = base;
    this.token = "traffic:" + project;
    this.timeout = timeout;
  }

  Response get(String path, int... expected) {
    return send("GET", path, null, expected);
  }

  Response post(String path, Map<String, ?> body, int... expected) {
    return send("POST", path, body, expected);
  }

  Response put(String path, Map<String, ?> body, int... expected) {
    return send("PUT", path, body, expected);
  }

  Response delete(String path, int... expected) {
    return send("DELETE", path, null, expected);
  }

  /**
   * Sends one request. A failure is: no connection (refused or reset), a timeout, an HTTP 5xx, or a
   * status the call does not expect.
   */
  private Response send(String method, String path, Map<String, ?> body, int... expected) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve("/v3" + path))
            .timeout(timeout)
            .header("X-Auth-Token", token)
            .header("Accept", "application/json")
            .header("OpenStack-API-Version", "volume 3.0");
    if (body != null) {
      try {
        b.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      } catch (IOException e) {
        throw new IllegalArgumentException(e);
      }
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    long t0 = System.nanoTime();
    HttpResponse<byte[]> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      return new Response(0, null, System.nanoTime() - t0, "timeout");
    } catch (ConnectException e) {
      return new Response(0, null, System.nanoTime() - t0, "connection refused");
    } catch (IOException e) {
      return new Response(0, null, System.nanoTime() - t0, "connection: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Response(0, null, System.nanoTime() - t0, "interrupted");
    }
    long nanos = System.nanoTime() - t0;
    JsonNode json = null;
    if (r.body().length > 0) {
      try {
        json = JSON.readTree(r.body());
      } catch (IOException e) {
        json = null; // an HTML error page, say; the status tells
      }
    }
    int status = r.statusCode();
    if (status >= 500) {
      return new Response(status, json, nanos, "HTTP " + status);
    }
    for (int e : expected) {
      if (e == status) {
        return new Response(status, json, nanos, null);
      }
    }
    return new Response(status, json, nanos, "unexpected HTTP " + status + " " + method);
  }
}
