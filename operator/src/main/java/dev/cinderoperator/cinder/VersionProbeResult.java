package dev.cinderoperator.cinder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cinderoperator.api.VersionPin;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the version probe found in an image: each binary's RPC version, the current object version,
 * the object versions the image's code knows (its {@code OBJ_VERSIONS} history) and the package
 * version of its Cinder ({@code cinder.version}; null when the probe could not read it).
 */
public record VersionProbeResult(
    Map<CinderBinary, String> rpc,
    String objects,
    List<String> objectHistory,
    String packageVersion) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ECHO = 200;
  private static final Set<String> FIELDS = Set.of("rpc", "objects", "objectHistory", "package");

  public VersionProbeResult {
    rpc = Map.copyOf(rpc);
    objectHistory = List.copyOf(objectHistory);
  }

  /**
   * Parses the probe's output strictly.
   *
   * @throws IllegalArgumentException naming what is wrong, quoting at most 200 characters of it
   */
  public static VersionProbeResult parse(String json) {
    if (json == null || json.isBlank()) {
      throw new IllegalArgumentException("version probe output is empty");
    }
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw invalid("is not JSON", json);
    }
    if (root == null || !root.isObject()) {
      throw invalid("is not a JSON object", json);
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw invalid("has an unexpected field '" + shortName(name) + "'", json);
      }
    }
    JsonNode rpcNode = root.get("rpc");
    if (rpcNode == null || !rpcNode.isObject()) {
      throw invalid("lacks the object 'rpc'", json);
    }
    Map<CinderBinary, String> rpc = new EnumMap<>(CinderBinary.class);
    for (Map.Entry<String, JsonNode> e : rpcNode.properties()) {
      CinderBinary binary =
          CinderBinary.fromBinaryName(e.getKey())
              .orElseThrow(
                  () -> invalid("names an unknown binary '" + shortName(e.getKey()) + "'", json));
      rpc.put(binary, version(e.getValue(), "rpc." + binary.binaryName(), json));
    }
    for (CinderBinary binary : CinderBinary.values()) {
      if (!rpc.containsKey(binary)) {
        throw invalid("lacks the RPC version of " + binary.binaryName(), json);
      }
    }
    String objects = version(root.get("objects"), "objects", json);
    JsonNode historyNode = root.get("objectHistory");
    if (historyNode == null || !historyNode.isArray() || historyNode.isEmpty()) {
      throw invalid("lacks a non-empty array 'objectHistory'", json);
    }
    List<String> history = new ArrayList<>();
    for (int i = 0; i < historyNode.size(); i++) {
      history.add(version(historyNode.get(i), "objectHistory[" + i + "]", json));
    }
    if (!history.contains(objects)) {
      throw invalid("has objects " + objects + " missing from objectHistory", json);
    }
    JsonNode packageNode = root.get("package");
    String packageVersion = null;
    if (packageNode != null && !packageNode.isNull()) {
      if (!packageNode.isTextual() || !packageNode.asText().matches("\\d+(\\.[\\w.+~-]+)?")) {
        throw invalid(
            "has 'package' = "
                + shortName(packageNode.toString())
                + ", not a version like \"29.0.0\"",
            json);
      }
      packageVersion = packageNode.asText();
    }
    return new VersionProbeResult(rpc, objects, history, packageVersion);
  }

  private static String version(JsonNode node, String field, String json) {
    if (node == null || node.isNull()) {
      throw invalid("lacks '" + field + "'", json);
    }
    if (!node.isTextual() || !DottedVersion.isValid(node.asText())) {
      throw invalid(
          "has '" + field + "' = " + shortName(node.toString()) + ", not a version like \"3.18\"",
          json);
    }
    return node.asText();
  }

  private static IllegalArgumentException invalid(String what, String json) {
    return new IllegalArgumentException(
        "version probe output " + what + ": " + abbreviate(json.strip()));
  }

  private static String shortName(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  private static String abbreviate(String s) {
    return s.length() <= MAX_ECHO ? s : s.substring(0, MAX_ECHO) + "...";
  }

  public String rpcVersion(CinderBinary binary) {
    return rpc.get(binary);
  }

  /** The major of the package version (29 of 29.0.0), empty when unknown. */
  public java.util.Optional<Integer> cinderMajor() {
    return majorOf(packageVersion);
  }

  /** The leading number of a package version such as {@code 29.0.0} or {@code 28.0.0.0rc1}. */
  public static java.util.Optional<Integer> majorOf(String packageVersion) {
    if (packageVersion == null) {
      return java.util.Optional.empty();
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)").matcher(packageVersion);
    return m.find()
        ? java.util.Optional.of(Integer.parseInt(m.group(1)))
        : java.util.Optional.empty();
  }

  /** Whether the image's code accepts {@code objectVersion} as a cap. */
  public boolean knowsObjectVersion(String objectVersion) {
    return objectHistory.contains(objectVersion);
  }

  /** The versions as {@code status.upgrade.targets}, in upgrade order. */
  public List<VersionPin> targets() {
    List<VersionPin> pins = new ArrayList<>();
    for (CinderBinary b : CinderBinary.values()) {
      pins.add(new VersionPin(b.binaryName(), rpc.get(b), objects));
    }
    return List.copyOf(pins);
  }
}
