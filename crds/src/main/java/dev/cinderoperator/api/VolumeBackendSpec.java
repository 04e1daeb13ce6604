package dev.cinderoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.LinkedHashMap;
import java.util.Map;

/** One storage backend, run by its own cinder-volume StatefulSet. */
@ValidationRule(
    value =
        "!has(self.replicas) || self.replicas <= 1 || (has(self.activeActive) && self.activeActive)",
    message =
        "replicas > 1 needs activeActive: true (several cinder-volume pods on one backend must run as a Cinder cluster)")
public class VolumeBackendSpec extends PodSettings {
  /** A DNS label short enough for {@code <cluster>-volume-<backend>-<ordinal>}. */
  public static final String NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

  @Required
  @Pattern(NAME_PATTERN)
  @io.fabric8.generator.annotation.Size(max = 40)
  @JsonPropertyDescription(
      "Backend name: a DNS label, unique in the cluster; the cinder.conf section name.")
  private String name;

  @Min(0)
  @Max(64)
  @JsonPropertyDescription(
      "cinder-volume pods for this backend. Default 1; more only with activeActive.")
  private Integer replicas;

  @JsonPropertyDescription(
      "Run this backend as a Cinder cluster ([DEFAULT] cluster), active/active.")
  private Boolean activeActive;

  @JsonPropertyDescription("Options of the backend's cinder.conf section, e.g. volume_driver.")
  private Map<String, String> config = new LinkedHashMap<>();

  @JsonPropertyDescription(
      "Resource requests and limits of this backend's cinder-volume container.")
  private ResourceRequirements resources;

  public VolumeBackendSpec() {}

  public VolumeBackendSpec(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Boolean getActiveActive() {
    return activeActive;
  }

  public void setActiveActive(Boolean activeActive) {
    this.activeActive = activeActive;
  }

  public Map<String, String> getConfig() {
    return config;
  }

  public void setConfig(Map<String, String> config) {
    this.config = config;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  /** Replicas with the default applied. */
  public int replicasOrDefault() {
    return replicas == null ? 1 : replicas;
  }

  public boolean isActiveActive() {
    return Boolean.TRUE.equals(activeActive);
  }
}
