package dev.cinderoperator.upgrade;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The short, stable hash in job names ({@code <cluster>-db-sync-<hash>}): the first 8 hex digits of
 * the SHA-256 of the image. One image gives one name, so a restarted operator finds the job it
 * created instead of creating a second one.
 */
public final class JobHash {
  private JobHash() {}

  public static String of(String image) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(image.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
