package dev.cinderoperator.sim.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A pod left the store: deleted, evicted or collected. Reported synchronously, with the store as it
 * is right after the removal, so a listener can see what else was down at that moment.
 *
 * @param by the request that removed it; null when the garbage collector did
 * @param pod the pod as it was stored
 * @param store the store right after the removal (read it before returning)
 */
public record PodRemoval(ApiRequest by, JsonNode pod, Evictions.Store store) {

  /** "eviction", "delete" or "garbage collection". */
  public String via() {
    if (by == null) {
      return "garbage collection";
    }
    return "eviction".equals(by.call().subresource()) ? "eviction" : "delete";
  }
}
