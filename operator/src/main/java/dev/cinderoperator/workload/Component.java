package dev.cinderoperator.workload;

/** The value of {@code app.kubernetes.io/component} on what the operator creates. */
public enum Component {
  API("api"),
  SCHEDULER("scheduler"),
  VOLUME("volume"),
  BACKUP("backup"),
  DB_SYNC("db-sync"),
  VERSION_PROBE("version-probe"),
  UPGRADE_CHECK("upgrade-check"),
  DATA_MIGRATION("data-migration"),
  CONFIG("config");

  private final String label;

  Component(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
