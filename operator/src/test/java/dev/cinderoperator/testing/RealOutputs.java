package dev.cinderoperator.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * What Debian's Cinder 21.3.1 printed on this project's machine, under {@code cinder-21.3.1/} in
 * the test resources (the long ones cut to their last 2048 bytes, as a Job's termination message
 * is).
 */
public final class RealOutputs {
  private RealOutputs() {}

  public static String of(String name) {
    try (InputStream in = RealOutputs.class.getResourceAsStream("/cinder-21.3.1/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test output cinder-21.3.1/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read test output " + name, e);
    }
  }
}
