package dev.cinderoperator.api;

/**
 * How long the names of a CinderCluster and its backends may be so that every object the operator
 * names after them is valid in Kubernetes. A StatefulSet's pods carry the label {@code
 * controller-revision-hash: <statefulset>-<hash of up to 10 characters>}, and label values are at
 * most 63 characters, so a StatefulSet name longer than 52 makes pods that are never created. The
 * API Service {@code <cluster>-api} must be a DNS-1035 label: a lower-case letter first, no dots.
 */
public final class NameLimits {
  /** The longest StatefulSet name whose pods can exist (63 - 1 - 10). */
  public static final int MAX_STATEFULSET_NAME = 52;

  /** {@code <cluster>-scheduler} must fit {@link #MAX_STATEFULSET_NAME}. */
  public static final int MAX_CLUSTER_NAME = 42;

  /** {@code <cluster>-volume-<backend>} must fit: cluster and backend names together. */
  public static final int MAX_CLUSTER_AND_BACKEND = 44;

  /** A DNS-1035 label: what Service names must be, and so the cluster name. */
  public static final String CLUSTER_NAME_PATTERN = "^[a-z]([-a-z0-9]*[a-z0-9])?$";

  static final String CEL_CLUSTER_NAME_FORMAT =
      "self.metadata.name.matches('" + CLUSTER_NAME_PATTERN + "')";
  static final String CEL_CLUSTER_NAME_LENGTH = "size(self.metadata.name) <= " + MAX_CLUSTER_NAME;
  static final String CEL_VOLUME_NAMES =
      "!has(self.spec) || !has(self.spec.volumes) || self.spec.volumes.all(v,"
          + " size(self.metadata.name) + size(v.name) <= "
          + MAX_CLUSTER_AND_BACKEND
          + ")";

  private NameLimits() {}
}
