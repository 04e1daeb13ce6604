package dev.cinderoperator.sim.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cinderoperator.sim.apiserver.ApiCallRecorder.ApiCall;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.List;

/**
 * The preconditions (uid, resourceVersion) a DELETE or an eviction may carry: an object that does
 * not meet them is not removed, and the request is answered 409 with the API server's message. A
 * client that retries a delete whose answer it lost therefore cannot delete the object's next
 * incarnation.
 *
 * <p>An update (PUT) carries the resourceVersion it was made from: when the object changed since,
 * the update is refused with 409 too, the status subresource included (the stock mock server takes
 * a status PUT over any newer status).
 */
final class Preconditions {
  private Preconditions() {}

  /** The 409 answer when {@code stored} does not meet {@code preconditions}; null when it does. */
  static MockResponse unmet(JsonNode preconditions, JsonNode stored, String resource, String name) {
    for (String field : List.of("uid", "resourceVersion")) {
      JsonNode wanted = preconditions.path(field);
      String actual = stored.at("/metadata/" + field).asText();
      if (wanted.isTextual() && !wanted.asText().equals(actual)) {
        String label = field.equals("uid") ? "UID" : "ResourceVersion";
        return conflict(
            resource,
            name,
            "Precondition failed: "
                + label
                + " in precondition: "
                + wanted.asText()
                + ", "
                + label
                + " in object meta: "
                + actual);
      }
    }
    return null;
  }

  /**
   * The 409 answer when an update made from version {@code body.metadata.resourceVersion} meets a
   * newer {@code stored} object; null when it carries no version or the current one.
   */
  static MockResponse staleVersion(JsonNode body, JsonNode stored, ApiCall call, String name) {
    String wanted = body.at("/metadata/resourceVersion").asText("");
    if (wanted.isEmpty() || wanted.equals(stored.at("/metadata/resourceVersion").asText())) {
      return null;
    }
    String resource =
        call.apiGroup() == null || call.apiGroup().isEmpty()
            ? call.resource()
            : call.resource() + "." + call.apiGroup();
    return conflict(
        resource,
        name,
        "the object has been modified; please apply your changes to the latest version and try"
            + " again");
  }

  /** A 409 as the API server words it: "Operation cannot be fulfilled on <resource> ...". */
  private static MockResponse conflict(String resource, String name, String why) {
    return Evictions.status(
        409,
        "Conflict",
        "Operation cannot be fulfilled on " + resource + " \"" + name + "\": " + why,
        null);
  }
}
