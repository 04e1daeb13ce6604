package dev.cinderoperator.cinder;

import java.util.Map;

/**
 * One OpenStack series as Cinder ships it: the RPC version of each binary and the current aggregate
 * object version, as its code writes them into the services table.
 */
public record Release(
    String name,
    int cinderMajor,
    boolean slurp,
    Map<CinderBinary, String> rpcVersions,
    String objectVersion) {

  public String rpcVersion(CinderBinary binary) {
    return rpcVersions.get(binary);
  }
}
