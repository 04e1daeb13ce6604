package dev.cinderoperator.workload;

/** Names of the objects the operator creates, per the api contract. */
public final class Names {
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
    return cluster + "-db-sync-" + hash;
  }

  public static String versionProbeJob(String cluster, String hash) {
    return cluster + "-version-probe-" + hash;
  }

  public static String upgradeCheckJob(String cluster, String hash) {
    return cluster + "-upgrade-check-" + hash;
  }

  public static String dataMigrationJob(String cluster, String hash, int run) {
    return cluster + "-data-migration-" + hash + "-" + run;
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
