package dev.cinderoperator.api;

import java.util.Objects;

/**
 * The {@code report_count} of a pod's services row, read once after the pod's container started.
 * Cinder writes the row at start without counting; only a heartbeat ({@code report_state}, while
 * the service works) counts, so a count above this proves the service works. No read after the fact
 * could tell what the count was at the start.
 */
public class HeartbeatBaseline {
  private String pod;
  private String uid;
  private String startedAt;
  private Long rowId;
  private Integer reportCount;

  public HeartbeatBaseline() {}

  public HeartbeatBaseline(
      String pod, String uid, String startedAt, Long rowId, Integer reportCount) {
    this.pod = pod;
    this.uid = uid;
    this.startedAt = startedAt;
    this.rowId = rowId;
    this.reportCount = reportCount;
  }

  /** The pod's name (its service's host, or host@backend's pod). */
  public String getPod() {
    return pod;
  }

  public void setPod(String pod) {
    this.pod = pod;
  }

  public String getUid() {
    return uid;
  }

  public void setUid(String uid) {
    this.uid = uid;
  }

  /** When the container started (RFC 3339): each start of the container needs its own proof. */
  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  /** The services row's id; a row re-created since (by a running service) starts counting anew. */
  public Long getRowId() {
    return rowId;
  }

  public void setRowId(Long rowId) {
    this.rowId = rowId;
  }

  public Integer getReportCount() {
    return reportCount;
  }

  public void setReportCount(Integer reportCount) {
    this.reportCount = reportCount;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HeartbeatBaseline b
        && Objects.equals(pod, b.pod)
        && Objects.equals(uid, b.uid)
        && Objects.equals(startedAt, b.startedAt)
        && Objects.equals(rowId, b.rowId)
        && Objects.equals(reportCount, b.reportCount);
  }

  @Override
  public int hashCode() {
    return Objects.hash(pod, uid, startedAt, rowId, reportCount);
  }

  @Override
  public String toString() {
    return pod + "/" + uid + " started " + startedAt + ": row " + rowId + " count " + reportCount;
  }
}
