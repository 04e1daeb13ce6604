package dev.cinderoperator.workload;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** Stable short hashes for job names and checksum annotations. */
public final class Hashes {
  private Hashes() {}

  public static String sha256(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** First 8 hex characters of SHA-256: short enough for object names. */
  public static String shortHash(String text) {
    return sha256(text).substring(0, 8);
  }

  /** Checksum of a set of files, independent of map order. */
  public static String checksum(Map<String, String> files) {
    StringBuilder b = new StringBuilder();
    new TreeMap<>(files).forEach((k, v) -> b.append(k).append('\0').append(v).append('\0'));
    return sha256(b.toString());
  }
}
