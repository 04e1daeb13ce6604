package dev.cinderoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import java.time.Duration;

/** How upgrades run. Every field is optional; defaults are in the getters' OrDefault twins. */
public class UpgradeSpec {
  public static final Duration DEFAULT_POD_READY_TIMEOUT = Duration.ofMinutes(10);
  public static final Duration DEFAULT_SERVICE_REPORT_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration DEFAULT_BACKUP_DRAIN_TIMEOUT = Duration.ofMinutes(30);
  public static final int DEFAULT_ONLINE_DATA_MIGRATION_BATCH = 50;

  @JsonPropertyDescription("true: finish the pod in flight, then hold.")
  private Boolean paused;

  @JsonPropertyDescription("true: allow a SLURP jump (e.g. 2024.1 -> 2025.1); it runs offline.")
  private Boolean allowSkipLevel;

  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription(
      "A new pod must be Ready within this (e.g. 10m), else the upgrade halts.")
  private String podReadyTimeout;

  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription(
      "A restarted service must report the target version within this (e.g. 5m).")
  private String serviceReportTimeout;

  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription(
      "How long to wait for in-flight backups on a host before restarting it (e.g. 30m).")
  private String backupDrainTimeout;

  @JsonPropertyDescription(
      "After backupDrainTimeout: Stall (default) waits for a person, Proceed replaces the pod.")
  private BackupDrainTimeoutAction backupDrainTimeoutAction;

  @Min(1)
  @JsonPropertyDescription("--max_count for cinder-manage db online_data_migrations. Default 50.")
  private Integer onlineDataMigrationBatch;

  @JsonPropertyDescription("Remove (default) or Block: services rows that no live pod owns.")
  private StaleServicesPolicy staleServices;

  @JsonPropertyDescription(
      "Signal (default): SIGHUP scheduler, volume and backup to drop pins; Restart: replace them.")
  private UnpinStrategy unpinStrategy;

  public Boolean getPaused() {
    return paused;
  }

  public void setPaused(Boolean paused) {
    this.paused = paused;
  }

  public Boolean getAllowSkipLevel() {
    return allowSkipLevel;
  }

  public void setAllowSkipLevel(Boolean allowSkipLevel) {
    this.allowSkipLevel = allowSkipLevel;
  }

  public String getPodReadyTimeout() {
    return podReadyTimeout;
  }

  public void setPodReadyTimeout(String podReadyTimeout) {
    this.podReadyTimeout = podReadyTimeout;
  }

  public String getServiceReportTimeout() {
    return serviceReportTimeout;
  }

  public void setServiceReportTimeout(String serviceReportTimeout) {
    this.serviceReportTimeout = serviceReportTimeout;
  }

  public String getBackupDrainTimeout() {
    return backupDrainTimeout;
  }

  public void setBackupDrainTimeout(String backupDrainTimeout) {
    this.backupDrainTimeout = backupDrainTimeout;
  }

  public BackupDrainTimeoutAction getBackupDrainTimeoutAction() {
    return backupDrainTimeoutAction;
  }

  public void setBackupDrainTimeoutAction(BackupDrainTimeoutAction backupDrainTimeoutAction) {
    this.backupDrainTimeoutAction = backupDrainTimeoutAction;
  }

  public Integer getOnlineDataMigrationBatch() {
    return onlineDataMigrationBatch;
  }

  public void setOnlineDataMigrationBatch(Integer onlineDataMigrationBatch) {
    this.onlineDataMigrationBatch = onlineDataMigrationBatch;
  }

  public StaleServicesPolicy getStaleServices() {
    return staleServices;
  }

  public void setStaleServices(StaleServicesPolicy staleServices) {
    this.staleServices = staleServices;
  }

  public UnpinStrategy getUnpinStrategy() {
    return unpinStrategy;
  }

  public void setUnpinStrategy(UnpinStrategy unpinStrategy) {
    this.unpinStrategy = unpinStrategy;
  }

  public boolean pausedOrDefault() {
    return Boolean.TRUE.equals(paused);
  }

  public boolean allowSkipLevelOrDefault() {
    return Boolean.TRUE.equals(allowSkipLevel);
  }

  public Duration podReadyTimeoutOrDefault() {
    return Durations.parse(podReadyTimeout).orElse(DEFAULT_POD_READY_TIMEOUT);
  }

  public Duration serviceReportTimeoutOrDefault() {
    return Durations.parse(serviceReportTimeout).orElse(DEFAULT_SERVICE_REPORT_TIMEOUT);
  }

  public Duration backupDrainTimeoutOrDefault() {
    return Durations.parse(backupDrainTimeout).orElse(DEFAULT_BACKUP_DRAIN_TIMEOUT);
  }

  public BackupDrainTimeoutAction backupDrainTimeoutActionOrDefault() {
    return backupDrainTimeoutAction == null
        ? BackupDrainTimeoutAction.Stall
        : backupDrainTimeoutAction;
  }

  public int onlineDataMigrationBatchOrDefault() {
    return onlineDataMigrationBatch == null
        ? DEFAULT_ONLINE_DATA_MIGRATION_BATCH
        : onlineDataMigrationBatch;
  }

  public StaleServicesPolicy staleServicesOrDefault() {
    return staleServices == null ? StaleServicesPolicy.Remove : staleServices;
  }

  public UnpinStrategy unpinStrategyOrDefault() {
    return unpinStrategy == null ? UnpinStrategy.Signal : unpinStrategy;
  }
}
