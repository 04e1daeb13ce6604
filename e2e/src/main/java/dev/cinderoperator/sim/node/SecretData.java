package dev.cinderoperator.sim.node;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** A Secret's files as a container would see them mounted: data decoded, stringData as is. */
public final class SecretData {
  private SecretData() {}

  public static Map<String, String> decoded(Secret secret) {
    Map<String, String> result = new HashMap<>();
    if (secret.getData() != null) {
      secret
          .getData()
          .forEach(
              (k, v) ->
                  result.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      result.putAll(secret.getStringData());
    }
    return result;
  }
}
