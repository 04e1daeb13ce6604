package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.VersionPin;
import dev.cinderoperator.cinder.CinderBinary;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a version-probe job found in an image's code: the RPC version of each binary, the current
 * aggregate object version and the object versions the code accepts as a cap. The executor parses
 * it from the probe job's termination message.
 *
 * @param objectHistory the image's {@code OBJ_VERSIONS} history; empty when not read
 * @param packageVersion Cinder's package version in the image (e.g. 29.0.0); null when not read
 */
public record ProbedVersions(
    Map<CinderBinary, String> rpcVersions,
    String objectVersion,
    List<String> objectHistory,
    String packageVersion) {
  public ProbedVersions {
    rpcVersions = Map.copyOf(rpcVersions);
    objectHistory = objectHistory == null ? List.of() : List.copyOf(objectHistory);
  }

  /** As the {@code targets} of the upgrade status, one entry per binary in enum order. */
  public List<VersionPin> toPins() {
    List<VersionPin> pins = new ArrayList<>();
    for (CinderBinary b : CinderBinary.values()) {
      String rpc = rpcVersions.get(b);
      if (rpc != null) {
        pins.add(new VersionPin(b.binaryName(), rpc, objectVersion));
      }
    }
    return pins;
  }

  public static Map<CinderBinary, VersionPin> byBinary(List<VersionPin> pins) {
    Map<CinderBinary, VersionPin> map = new EnumMap<>(CinderBinary.class);
    if (pins != null) {
      for (VersionPin p : pins) {
        CinderBinary.fromBinaryName(p.getBinary()).ifPresent(b -> map.put(b, p));
      }
    }
    return map;
  }
}
