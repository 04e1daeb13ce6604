package dev.cinderoperator.workload;

import java.util.OptionalInt;

/**
 * Names of the objects the operator creates, per the api contract. Cluster and backend names are
 * validated so that every workload name fits (NameLimits); a job name that cannot fit Kubernetes'
 * 63 characters (its {@code job-name} label) in the contract's form gets its cluster part shortened
 * with a stable hash instead: {@code <first characters of the cluster>-<5 hex of its
 * SHA-256>-<kind>-<hash>[-<run>]}. Only such names change; every name that fits is the contract's.
 */
public final class Names {
  /** The longest object name that is also a label value (a Job's job-name label). */
  public static final int MAX_LABEL_VALUE = 63;

  private static final String DATA_MIGRATION = "-data-migration-";

  private Names() {}

  public static String configSecret(String cluster) {
    return cluster + "-config";
  }

  public static String api(String cluster) {
    return cluster + "-api";
  }

  public static String scheduler(String cluster) {
    return cluster + "-scheduler";
  }

  public static String volume(String cluster, String backend) {
    return cluster + "-volume-" + backend;
  }

  public static String backup(String cluster) {
    return cluster + "-backup";
  }

  public static String podDisruptionBudget(String workload) {
    return workload;
  }

  public static String dbSyncJob(String cluster, String hash) {
    return fit(cluster, "-db-sync-" + hash);
  }

  public static String versionProbeJob(String cluster, String hash) {
    return fit(cluster, "-version-probe-" + hash);
  }

  public static String upgradeCheckJob(String cluster, String hash) {
    return fit(cluster, "-upgrade-check-" + hash);
  }

  public static String dataMigrationJob(String cluster, String hash, int run) {
    return fit(cluster, DATA_MIGRATION + hash + "-" + run);
  }

  /** The run number of a data-migration job of this cluster and image hash, if the name is one. */
  public static OptionalInt dataMigrationRun(String cluster, String hash, String jobName) {
    String marker = DATA_MIGRATION + hash + "-";
    int at = jobName.lastIndexOf(marker);
    if (at < 0) {
      return OptionalInt.empty();
    }
    try {
      int run = Integer.parseInt(jobName.substring(at + marker.length()));
      return run >= 0 && jobName.equals(dataMigrationJob(cluster, hash, run))
          ? OptionalInt.of(run)
          : OptionalInt.empty();
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  /** {@code cluster + rest}, or with the cluster part shortened when that is too long. */
  static String fit(String cluster, String rest) {
    if (cluster.length() + rest.length() <= MAX_LABEL_VALUE) {
      return cluster + rest;
    }
    String tag = "-" + Hashes.shortHash(cluster).substring(0, 5);
    int keep = Math.max(1, MAX_LABEL_VALUE - rest.length() - tag.length());
    String head = cluster.substring(0, Math.min(keep, cluster.length()));
    while (head.endsWith("-")) {
      head = head.substring(0, head.length() - 1);
    }
    return head + tag + rest;
  }

  /** Pod {@code ordinal} of a StatefulSet: its name, and so the Cinder service's host. */
  public static String statefulPod(String statefulSet, int ordinal) {
    return statefulSet + "-" + ordinal;
  }

  /** The services-table host of a volume pod: {@code <pod>@<backend>}. */
  public static String volumeHost(String pod, String backend) {
    return pod + "@" + backend;
  }

  /** The {@code [DEFAULT] cluster} of an active/active backend. */
  public static String volumeCluster(String cluster, String backend) {
    return cluster + "-" + backend;
  }
}
