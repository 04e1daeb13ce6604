package dev.cinderoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** Replicas and resources of one Cinder service (api, scheduler). */
public class ComponentSpec extends PodSettings {
  @Min(0)
  @JsonPropertyDescription("Number of pods. Default 1.")
  private Integer replicas;

  @JsonPropertyDescription("Resource requests and limits of the service container.")
  private ResourceRequirements resources;

  public ComponentSpec() {}

  public ComponentSpec(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }
}
