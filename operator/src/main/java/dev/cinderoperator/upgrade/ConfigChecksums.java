package dev.cinderoperator.upgrade;

import dev.cinderoperator.workload.Component;

/**
 * The config checksum each workload's pods should carry. Each volume backend has its own (its
 * section and enabled_backends), so a change to one backend rolls only that backend.
 */
@FunctionalInterface
public interface ConfigChecksums {
  /** The desired checksum, or null when the workload is not known (no config roll for it). */
  String desiredFor(Component component, String backend);

  /** Every pod the same checksum. */
  static ConfigChecksums uniform(String checksum) {
    return (component, backend) -> checksum;
  }
}
