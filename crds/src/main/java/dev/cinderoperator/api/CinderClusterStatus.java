package dev.cinderoperator.api;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the operator observed and what it cannot observe again (upgrade progress). */
public class CinderClusterStatus {
  private Long observedGeneration;
  private Phase phase;
  private String release;
  private String image;
  private List<Condition> conditions = new ArrayList<>();
  private UpgradeStatus upgrade;
  private List<ServiceStatus> services = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Phase getPhase() {
    return phase;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public String getRelease() {
    return release;
  }

  public void setRelease(String release) {
    this.release = release;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public UpgradeStatus getUpgrade() {
    return upgrade;
  }

  public void setUpgrade(UpgradeStatus upgrade) {
    this.upgrade = upgrade;
  }

  public List<ServiceStatus> getServices() {
    return services;
  }

  public void setServices(List<ServiceStatus> services) {
    this.services = services;
  }

  public Optional<Condition> condition(String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }
}
