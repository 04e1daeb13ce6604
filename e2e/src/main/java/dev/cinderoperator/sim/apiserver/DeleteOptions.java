package dev.cinderoperator.sim.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;

/**
 * The DeleteOptions a DELETE request carries in its body: how dependents are propagated and the
 * preconditions the stored object must meet.
 *
 * @param propagationPolicy Orphan, Background, Foreground, or null for the default
 * @param preconditions the {@code preconditions} object, or a missing node
 */
record DeleteOptions(String propagationPolicy, JsonNode preconditions) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DeleteOptions NONE = new DeleteOptions(null, MissingNode.getInstance());

  /** The request's options; none for an empty or unreadable body (the stock route decides). */
  static DeleteOptions of(RecordedRequest request) {
    // getBytes, not getUtf8Body: that one consumes the body the stock route reads again
    byte[] body = request.getBody() == null ? new byte[0] : request.getBody().getBytes();
    if (body.length == 0) {
      return NONE;
    }
    try {
      JsonNode options = JSON.readTree(body);
      return new DeleteOptions(
          options.path("propagationPolicy").asText(null), options.path("preconditions"));
    } catch (IOException e) {
      return NONE;
    }
  }
}
