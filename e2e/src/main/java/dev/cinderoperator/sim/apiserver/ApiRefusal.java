package dev.cinderoperator.sim.apiserver;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A write the API server refuses, with the HTTP code and the {@code Status} body a real one sends
 * (built as apimachinery's {@code errors.NewInvalid} and {@code errors.NewBadRequest} build them).
 * Thrown from the store's one write gate; the dispatcher turns it into the response.
 */
public final class ApiRefusal extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Status status;

  private ApiRefusal(Status status) {
    super(status.getMessage());
    this.status = status;
  }

  /**
   * 422 Invalid: {@code <Kind>[.<group>] "<name>" is invalid: <errors>}, one error as is, several
   * as {@code [e1, e2]} (duplicates dropped, as {@code ErrorList.ToAggregate} does).
   */
  public static ApiRefusal invalid(
      String group, String kind, String name, List<FieldError> errors) {
    Set<String> seen = new LinkedHashSet<>();
    errors.forEach(e -> seen.add(e.toString()));
    String aggregate =
        seen.size() == 1 ? seen.iterator().next() : "[" + String.join(", ", seen) + "]";
    String qualifiedKind = group == null || group.isEmpty() ? kind : kind + "." + group;
    List<StatusCause> causes =
        errors.stream()
            .map(
                e ->
                    new StatusCauseBuilder()
                        .withReason(e.type())
                        .withMessage(e.body())
                        .withField(e.field())
                        .build())
            .toList();
    return new ApiRefusal(
        new StatusBuilder()
            .withStatus("Failure")
            .withMessage(qualifiedKind + " " + FieldError.quote(name) + " is invalid: " + aggregate)
            .withReason("Invalid")
            .withNewDetails()
            .withName(name)
            .withGroup(group == null || group.isEmpty() ? null : group)
            .withKind(kind)
            .withCauses(causes)
            .endDetails()
            .withCode(422)
            .build());
  }

  /** 400 BadRequest with the message as is (decoding errors). */
  public static ApiRefusal badRequest(String message) {
    return new ApiRefusal(
        new StatusBuilder()
            .withStatus("Failure")
            .withMessage(message)
            .withReason("BadRequest")
            .withCode(400)
            .build());
  }

  public int code() {
    return status.getCode();
  }

  public Status status() {
    return status;
  }

  /** The response body: the Status as JSON. */
  public String body() {
    Status copy = new StatusBuilder(status).build();
    copy.setApiVersion("v1");
    copy.setKind("Status");
    return Serialization.asJson(copy);
  }
}
