package dev.cinderoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.LinkedHashMap;
import java.util.Map;

/** The cinder-backup service. */
public class BackupSpec extends PodSettings {
  @Min(0)
  @Max(64)
  @JsonPropertyDescription("cinder-backup pods. Default 0: no backup service.")
  private Integer replicas;

  @JsonPropertyDescription("[DEFAULT] options for the backup service, e.g. backup_driver.")
  private Map<String, String> config = new LinkedHashMap<>();

  @JsonPropertyDescription("Resource requests and limits of the cinder-backup container.")
  private ResourceRequirements resources;

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
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

  public int replicasOrDefault() {
    return replicas == null ? 0 : replicas;
  }
}
