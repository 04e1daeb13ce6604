package dev.cinderoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** A Cinder backup that ended in error while an upgrade ran. */
public class FailedBackup {
  @JsonPropertyDescription("The backup's id (openstack volume backup show ID).")
  private String id;

  @JsonPropertyDescription("The cinder-backup host it was on.")
  private String host;

  @JsonPropertyDescription("Cinder's fail_reason.")
  private String reason;

  @JsonPropertyDescription("When it turned to error (the backups row's updated_at, UTC).")
  private String at;

  public FailedBackup() {}

  public FailedBackup(String id, String host, String reason, String at) {
    this.id = id;
    this.host = host;
    this.reason = reason;
    this.at = at;
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getHost() {
    return host;
  }

  public void setHost(String host) {
    this.host = host;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getAt() {
    return at;
  }

  public void setAt(String at) {
    this.at = at;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FailedBackup f
        && Objects.equals(id, f.id)
        && Objects.equals(host, f.host)
        && Objects.equals(reason, f.reason)
        && Objects.equals(at, f.at);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, host, reason, at);
  }

  @Override
  public String toString() {
    return id + " on " + host + " (" + reason + ")";
  }
}
