package dev.cinderoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** A key of a Secret in the CinderCluster's namespace. */
public class SecretKeyRef {
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription("Name of the Secret, in the CinderCluster's namespace.")
  private String name;

  @Required
  @Pattern("^[-._a-zA-Z0-9]+$")
  @JsonPropertyDescription("Key in the Secret whose value is used.")
  private String key;

  public SecretKeyRef() {}

  public SecretKeyRef(String name, String key) {
    this.name = name;
    this.key = key;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretKeyRef r
        && Objects.equals(name, r.name)
        && Objects.equals(key, r.key);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, key);
  }

  @Override
  public String toString() {
    return "Secret " + name + " key " + key;
  }
}
