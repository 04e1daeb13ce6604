package dev.cinderoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Where a secret value (database or messaging URL) comes from. */
public class SecretSource {
  @Required
  @JsonPropertyDescription("The Secret key that holds the URL.")
  private SecretKeyRef secretRef;

  public SecretSource() {}

  public SecretSource(SecretKeyRef secretRef) {
    this.secretRef = secretRef;
  }

  public SecretKeyRef getSecretRef() {
    return secretRef;
  }

  public void setSecretRef(SecretKeyRef secretRef) {
    this.secretRef = secretRef;
  }
}
