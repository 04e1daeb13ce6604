package dev.cinderoperator.cinder;

import java.util.Map;

/**
 * One OpenStack series as Cinder ships it, with the versions its code is expected to write into the
 * services table: each binary's RPC version and the current aggregate object version. A series the
 * catalog has no table entry for (one released after this code) has no expected versions; the
 * version probe reads them from the image.
 *
 * @param rpcVersions expected RPC version per binary; empty when not known
 * @param objectVersion expected current object version; null when not known
 */
public record Release(
    String name,
    int cinderMajor,
    boolean slurp,
    Map<CinderBinary, String> rpcVersions,
    String objectVersion) {

  public Release {
    rpcVersions = Map.copyOf(rpcVersions);
  }

  /** A series known by its name only. */
  static Release withoutExpectations(Series series) {
    return new Release(series.name(), series.cinderMajor(), series.slurp(), Map.of(), null);
  }

  public String rpcVersion(CinderBinary binary) {
    return rpcVersions.get(binary);
  }

  /** Whether the catalog states what this series' code reports (a cross-check of the probe). */
  public boolean hasExpectedVersions() {
    return objectVersion != null && rpcVersions.size() == CinderBinary.values().length;
  }
}
