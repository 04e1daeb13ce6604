package dev.cinderoperator.workload;

import java.util.LinkedHashMap;
import java.util.Map;

/** The labels and annotations of the api contract, in one place. */
public final class Labels {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String BACKEND = "cinder.operator.dev/backend";

  public static final String APP = "cinder";
  public static final String OPERATOR = "cinder-operator";

  /** Pod template annotation: checksum of the rendered cinder.conf the pod was started with. */
  public static final String CONFIG_CHECKSUM = "cinder.operator.dev/config-checksum";

  /** API pod template annotation: when cinder-api was last restarted to drop its version pins. */
  public static final String RESTARTED_AT = "cinder.operator.dev/restarted-at";

  /** Job annotation: the image a job's hash was computed for. */
  public static final String TARGET_IMAGE = "cinder.operator.dev/target-image";

  private Labels() {}

  /** Labels every object of the cluster carries. */
  public static Map<String, String> of(String cluster, Component component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, APP);
    labels.put(INSTANCE, cluster);
    labels.put(COMPONENT, component.label());
    labels.put(MANAGED_BY, OPERATOR);
    return labels;
  }

  /** Labels of a volume backend's objects. */
  public static Map<String, String> ofVolume(String cluster, String backend) {
    Map<String, String> labels = of(cluster, Component.VOLUME);
    labels.put(BACKEND, backend);
    return labels;
  }

  /** The subset that selects the pods of a workload; stable across upgrades. */
  public static Map<String, String> selector(String cluster, Component component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, APP);
    labels.put(INSTANCE, cluster);
    labels.put(COMPONENT, component.label());
    return labels;
  }

  public static Map<String, String> volumeSelector(String cluster, String backend) {
    Map<String, String> labels = selector(cluster, Component.VOLUME);
    labels.put(BACKEND, backend);
    return labels;
  }

  /** Selects everything the operator created for one cluster. */
  public static Map<String, String> clusterSelector(String cluster) {
    return Map.of(NAME, APP, INSTANCE, cluster, MANAGED_BY, OPERATOR);
  }
}
