package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.FailedBackup;
import dev.cinderoperator.api.HeartbeatBaseline;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.VersionPin;
import java.util.ArrayList;
import java.util.List;

/** Copies of the upgrade status, so a decision never mutates what was observed. */
public final class UpgradeStatuses {
  private UpgradeStatuses() {}

  public static UpgradeStatus copy(UpgradeStatus u) {
    if (u == null) {
      return null;
    }
    UpgradeStatus c = new UpgradeStatus();
    c.setFromRelease(u.getFromRelease());
    c.setToRelease(u.getToRelease());
    c.setFromImage(u.getFromImage());
    c.setToImage(u.getToImage());
    c.setMode(u.getMode());
    c.setStep(u.getStep());
    c.setStartedAt(u.getStartedAt());
    c.setStepStartedAt(u.getStepStartedAt());
    c.setFinishedAt(u.getFinishedAt());
    c.setCompletedSteps(u.getCompletedSteps());
    c.setTotalSteps(u.getTotalSteps());
    c.setBlockedBy(u.getBlockedBy());
    c.setInFlight(u.getInFlight());
    c.setInFlightSince(u.getInFlightSince());
    c.setRowsAtTargetAt(u.getRowsAtTargetAt());
    c.setPins(copyPins(u.getPins()));
    c.setTargets(copyPins(u.getTargets()));
    c.setSignalledPods(
        u.getSignalledPods() == null ? new ArrayList<>() : new ArrayList<>(u.getSignalledPods()));
    List<HeartbeatBaseline> baselines = new ArrayList<>();
    if (u.getHeartbeatBaselines() != null) {
      for (HeartbeatBaseline b : u.getHeartbeatBaselines()) {
        baselines.add(
            new HeartbeatBaseline(
                b.getPod(), b.getUid(), b.getStartedAt(), b.getRowId(), b.getReportCount()));
      }
    }
    c.setHeartbeatBaselines(baselines);
    c.setDataMigrationRuns(u.getDataMigrationRuns());
    c.setLastVolumeGapSeconds(u.getLastVolumeGapSeconds());
    c.setVolumeGapHost(u.getVolumeGapHost());
    c.setVolumeGapFrom(u.getVolumeGapFrom());
    List<FailedBackup> failed = new ArrayList<>();
    if (u.getFailedBackups() != null) {
      for (FailedBackup f : u.getFailedBackups()) {
        failed.add(new FailedBackup(f.getId(), f.getHost(), f.getReason(), f.getAt()));
      }
    }
    c.setFailedBackups(failed);
    c.setFailedBackupCount(u.getFailedBackupCount());
    return c;
  }

  public static List<VersionPin> copyPins(List<VersionPin> pins) {
    List<VersionPin> out = new ArrayList<>();
    if (pins != null) {
      for (VersionPin p : pins) {
        out.add(new VersionPin(p.getBinary(), p.getRpcVersion(), p.getObjectVersion()));
      }
    }
    return out;
  }
}
