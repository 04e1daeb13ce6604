package dev.cinderoperator.api;

import java.util.Objects;

/** RPC and object version of one Cinder binary. */
public class VersionPin {
  private String binary;
  private String rpcVersion;
  private String objectVersion;

  public VersionPin() {}

  public VersionPin(String binary, String rpcVersion, String objectVersion) {
    this.binary = binary;
    this.rpcVersion = rpcVersion;
    this.objectVersion = objectVersion;
  }

  public String getBinary() {
    return binary;
  }

  public void setBinary(String binary) {
    this.binary = binary;
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

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionPin p
        && Objects.equals(binary, p.binary)
        && Objects.equals(rpcVersion, p.rpcVersion)
        && Objects.equals(objectVersion, p.objectVersion);
  }

  @Override
  public int hashCode() {
    return Objects.hash(binary, rpcVersion, objectVersion);
  }

  @Override
  public String toString() {
    return binary + " rpc " + rpcVersion + " objects " + objectVersion;
  }
}
