package dev.cinderoperator.sim.apiserver;

import dev.cinderoperator.sim.apiserver.ApiCallRecorder.ApiCall;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URI;
import java.util.Set;

/**
 * One request as the simulated API server's audit and fault injector see it: what the authorizer
 * would see ({@link ApiCall}) and who sent it (the {@code User-Agent}, as a real audit log records
 * it; each client of the simulation sets its own).
 *
 * @param call verb, group, resource, subresource, namespace and name
 * @param client the User-Agent, or "" when the request carries none
 * @param watch a watch (a long-running stream, not one answer)
 */
public record ApiRequest(ApiCall call, String client, boolean watch) {
  private static final Set<String> WRITES =
      Set.of("create", "update", "patch", "delete", "deletecollection");

  public static ApiRequest of(RecordedRequest request) {
    String path = request.getPath() == null ? "/" : request.getPath();
    ApiCall call = ApiCallRecorder.parse(request.getMethod(), URI.create("http://sim" + path));
    String agent = request.getHeader("User-Agent");
    return new ApiRequest(call, agent == null ? "" : agent, "watch".equals(call.verb()));
  }

  /** Changes the store (a create, update, patch or delete; exec and evictions are creates). */
  public boolean isWrite() {
    return WRITES.contains(call.verb());
  }

  /** Sent by a client whose User-Agent starts with the prefix. */
  public boolean from(String clientPrefix) {
    return client.startsWith(clientPrefix);
  }

  public String resource() {
    return call.resource();
  }

  /** {@code verb resource[/subresource] [namespace/]name}, for logs and failure messages. */
  public String describe() {
    StringBuilder b = new StringBuilder(call.verb()).append(' ');
    b.append(call.resource() == null ? call.path() : call.rbacResource());
    if (call.name() != null) {
      b.append(' ');
      if (call.namespace() != null) {
        b.append(call.namespace()).append('/');
      }
      b.append(call.name());
    }
    return b.toString();
  }
}
