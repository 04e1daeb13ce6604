package dev.cinderoperator.validation;

/**
 * One reason the spec cannot be acted on.
 *
 * @param field the spec path, e.g. {@code spec.volumes[1].name}
 * @param reason UpperCamelCase, used as the Stalled condition's reason and the Event's reason
 * @param message what is wrong and how to fix it; never contains a secret value
 */
public record SpecProblem(String field, String reason, String message) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
