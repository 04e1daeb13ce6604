package dev.cinderoperator.sim.controllers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * A short, stable hash of a pod template, as the revision controllers compute it: two templates
 * that differ only in map key order hash the same.
 */
final class TemplateHash {
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final ObjectMapper SORTED =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private TemplateHash() {}

  /** Ten characters from Kubernetes' "safe" alphabet (no vowels, so no words). */
  static String of(PodTemplateSpec template) {
    try {
      Object tree = SERIALIZATION.convertValue(template, Map.class);
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(SORTED.writeValueAsString(tree).getBytes(StandardCharsets.UTF_8));
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < 10; i++) {
        b.append(ALPHABET.charAt((digest[i] & 0xff) % ALPHABET.length()));
      }
      return b.toString();
    } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot hash a pod template", e);
    }
  }

  /** A random five-character pod name suffix, as ReplicaSets and Jobs add. */
  static String suffix(java.util.Random random) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return b.toString();
  }
}
