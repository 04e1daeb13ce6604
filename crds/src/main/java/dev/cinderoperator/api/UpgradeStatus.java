package dev.cinderoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/**
 * Progress of the current or last upgrade. Holds only what cannot be re-observed: the step reached,
 * the pins recorded, the act in flight, the signals sent.
 */
public class UpgradeStatus {
  private String fromRelease;
  private String toRelease;
  private String fromImage;
  private String toImage;
  private UpgradeMode mode;
  private UpgradeStep step;
  private String startedAt;
  private String stepStartedAt;
  private String finishedAt;
  private Integer completedSteps;
  private Integer totalSteps;
  private String blockedBy;
  private String inFlight;
  private String inFlightSince;
  private String rowsAtTargetAt;
  private List<VersionPin> pins = new ArrayList<>();
  private List<VersionPin> targets = new ArrayList<>();
  private List<String> signalledPods = new ArrayList<>();
  private List<HeartbeatBaseline> heartbeatBaselines = new ArrayList<>();
  private Integer dataMigrationRuns;
  private Double lastVolumeGapSeconds;
  private String volumeGapHost;
  private String volumeGapFrom;

  @JsonPropertyDescription(
      "Cinder backups that ended in error since the upgrade began (the newest 20), each also"
          + " reported as a BackupFailed Event.")
  private List<FailedBackup> failedBackups = new ArrayList<>();

  @JsonPropertyDescription("How many backups ended in error since the upgrade began.")
  private Integer failedBackupCount;

  public String getFromRelease() {
    return fromRelease;
  }

  public void setFromRelease(String fromRelease) {
    this.fromRelease = fromRelease;
  }

  public String getToRelease() {
    return toRelease;
  }

  public void setToRelease(String toRelease) {
    this.toRelease = toRelease;
  }

  public String getFromImage() {
    return fromImage;
  }

  public void setFromImage(String fromImage) {
    this.fromImage = fromImage;
  }

  public String getToImage() {
    return toImage;
  }

  public void setToImage(String toImage) {
    this.toImage = toImage;
  }

  public UpgradeMode getMode() {
    return mode;
  }

  public void setMode(UpgradeMode mode) {
    this.mode = mode;
  }

  public UpgradeStep getStep() {
    return step;
  }

  public void setStep(UpgradeStep step) {
    this.step = step;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getStepStartedAt() {
    return stepStartedAt;
  }

  public void setStepStartedAt(String stepStartedAt) {
    this.stepStartedAt = stepStartedAt;
  }

  public String getFinishedAt() {
    return finishedAt;
  }

  public void setFinishedAt(String finishedAt) {
    this.finishedAt = finishedAt;
  }

  public Integer getCompletedSteps() {
    return completedSteps;
  }

  public void setCompletedSteps(Integer completedSteps) {
    this.completedSteps = completedSteps;
  }

  public Integer getTotalSteps() {
    return totalSteps;
  }

  public void setTotalSteps(Integer totalSteps) {
    this.totalSteps = totalSteps;
  }

  public String getBlockedBy() {
    return blockedBy;
  }

  public void setBlockedBy(String blockedBy) {
    this.blockedBy = blockedBy;
  }

  /** The pod or job the operator acted on last, recorded before the act. */
  public String getInFlight() {
    return inFlight;
  }

  public void setInFlight(String inFlight) {
    this.inFlight = inFlight;
  }

  /**
   * When the act in {@link #getInFlight()} began (RFC 3339); times backup drains and pod returns.
   */
  public String getInFlightSince() {
    return inFlightSince;
  }

  public void setInFlightSince(String inFlightSince) {
    this.inFlightSince = inFlightSince;
  }

  /**
   * When the operator first saw every services row at the target versions (RFC 3339). Processes
   * started before then may hold low pins; Unpinning signals or restarts exactly those.
   */
  public String getRowsAtTargetAt() {
    return rowsAtTargetAt;
  }

  public void setRowsAtTargetAt(String rowsAtTargetAt) {
    this.rowsAtTargetAt = rowsAtTargetAt;
  }

  public List<VersionPin> getPins() {
    return pins;
  }

  public void setPins(List<VersionPin> pins) {
    this.pins = pins;
  }

  public List<VersionPin> getTargets() {
    return targets;
  }

  public void setTargets(List<VersionPin> targets) {
    this.targets = targets;
  }

  /** Pods (name/uid) that were sent SIGHUP in Unpinning; a signal leaves no trace to observe. */
  public List<String> getSignalledPods() {
    return signalledPods;
  }

  public void setSignalledPods(List<String> signalledPods) {
    this.signalledPods = signalledPods;
  }

  /**
   * Per gated pod, the report_count of its services row read after its container started: the gate
   * waits for the count to rise (a heartbeat, which only a working service writes).
   */
  public List<HeartbeatBaseline> getHeartbeatBaselines() {
    return heartbeatBaselines;
  }

  public void setHeartbeatBaselines(List<HeartbeatBaseline> heartbeatBaselines) {
    this.heartbeatBaselines = heartbeatBaselines;
  }

  public Integer getDataMigrationRuns() {
    return dataMigrationRuns;
  }

  public void setDataMigrationRuns(Integer dataMigrationRuns) {
    this.dataMigrationRuns = dataMigrationRuns;
  }

  public Double getLastVolumeGapSeconds() {
    return lastVolumeGapSeconds;
  }

  public void setLastVolumeGapSeconds(Double lastVolumeGapSeconds) {
    this.lastVolumeGapSeconds = lastVolumeGapSeconds;
  }

  /**
   * The active/passive cinder-volume service ({@code host@backend}) whose pod is being replaced,
   * while the operator measures how long the backend is without a live service.
   */
  public String getVolumeGapHost() {
    return volumeGapHost;
  }

  public void setVolumeGapHost(String volumeGapHost) {
    this.volumeGapHost = volumeGapHost;
  }

  /**
   * The last heartbeat (services.updated_at, database clock, RFC 3339) of the old process of {@link
   * #getVolumeGapHost()}; the gap runs from here to the new process's first heartbeat.
   */
  public String getVolumeGapFrom() {
    return volumeGapFrom;
  }

  public void setVolumeGapFrom(String volumeGapFrom) {
    this.volumeGapFrom = volumeGapFrom;
  }

  public List<FailedBackup> getFailedBackups() {
    return failedBackups;
  }

  public void setFailedBackups(List<FailedBackup> failedBackups) {
    this.failedBackups = failedBackups;
  }

  public Integer getFailedBackupCount() {
    return failedBackupCount;
  }

  public void setFailedBackupCount(Integer failedBackupCount) {
    this.failedBackupCount = failedBackupCount;
  }
}
