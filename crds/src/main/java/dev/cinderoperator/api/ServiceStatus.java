package dev.cinderoperator.api;

import java.util.Objects;

/** One row of Cinder's services table as last observed. */
public class ServiceStatus {
  private String binary;
  private String host;
  private String cluster;
  private String rpcVersion;
  private String objectVersion;
  private Boolean up;
  private Boolean disabled;
  private Boolean stale;

  public ServiceStatus() {}

  public ServiceStatus(
      String binary,
      String host,
      String cluster,
      String rpcVersion,
      String objectVersion,
      boolean up,
      boolean disabled,
      boolean stale) {
    this.binary = binary;
    this.host = host;
    this.cluster = cluster;
    this.rpcVersion = rpcVersion;
    this.objectVersion = objectVersion;
    this.up = up;
    this.disabled = disabled;
    this.stale = stale;
  }

  public String getBinary() {
    return binary;
  }

  public void setBinary(String binary) {
    this.binary = binary;
  }

  public String getHost() {
    return host;
  }

  public void setHost(String host) {
    this.host = host;
  }

  public String getCluster() {
    return cluster;
  }

  public void setCluster(String cluster) {
    this.cluster = cluster;
  }

  public String getRpcVersion() {
    return rpcVersion;
  }

  public void setRpcVersion(String rpcVersion) {
    this.rpcVersion = rpcVersion;
  }

  public String getObjectVersion() {
    return objectVersion;
  }

  public void setObjectVersion(String objectVersion) {
    this.objectVersion = objectVersion;
  }

  public Boolean getUp() {
    return up;
  }

  public void setUp(Boolean up) {
    this.up = up;
  }

  public Boolean getDisabled() {
    return disabled;
  }

  public void setDisabled(Boolean disabled) {
    this.disabled = disabled;
  }

  public Boolean getStale() {
    return stale;
  }

  public void setStale(Boolean stale) {
    this.stale = stale;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServiceStatus s
        && Objects.equals(binary, s.binary)
        && Objects.equals(host, s.host)
        && Objects.equals(cluster, s.cluster)
        && Objects.equals(rpcVersion, s.rpcVersion)
        && Objects.equals(objectVersion, s.objectVersion)
        && Objects.equals(up, s.up)
        && Objects.equals(disabled, s.disabled)
        && Objects.equals(stale, s.stale);
  }

  @Override
  public int hashCode() {
    return Objects.hash(binary, host, cluster, rpcVersion, objectVersion, up, disabled, stale);
  }
}
