package dev.cinderoperator.cinder;

import java.util.Arrays;
import java.util.Optional;

/** The Cinder services that write a row in the services table (cinder-api writes none). */
public enum CinderBinary {
  SCHEDULER("cinder-scheduler"),
  VOLUME("cinder-volume"),
  BACKUP("cinder-backup");

  private final String binaryName;

  CinderBinary(String binaryName) {
    this.binaryName = binaryName;
  }

  /** The value of the services table's {@code binary} column. */
  public String binaryName() {
    return binaryName;
  }

  public static Optional<CinderBinary> fromBinaryName(String name) {
    return Arrays.stream(values()).filter(b -> b.binaryName.equals(name)).findFirst();
  }

  @Override
  public String toString() {
    return binaryName;
  }
}
