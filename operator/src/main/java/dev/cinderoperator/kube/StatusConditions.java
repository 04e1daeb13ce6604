package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderClusterStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The kstatus conditions: {@code Ready}, {@code Reconciling} (work under way) and {@code Stalled}
 * (a person is needed). A condition's lastTransitionTime moves only when its status flips, so a
 * reconcile that learns nothing new leaves the status byte for byte as it was.
 */
public final class StatusConditions {
  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";

  private StatusConditions() {}

  public static void apply(
      CinderClusterStatus status, Progress progress, long generation, Clock clock) {
    boolean ready = progress.ready();
    boolean reconciling = !ready && !progress.stalled();
    List<Condition> next = new ArrayList<>();
    next.add(
        condition(
            status,
            READY,
            ready,
            ready ? "Ready" : progress.reason(),
            ready ? progress.message() : readyMessage(progress),
            generation,
            clock));
    next.add(
        condition(
            status,
            RECONCILING,
            reconciling,
            reconciling ? progress.reason() : "Idle",
            reconciling ? progress.message() : "no work under way",
            generation,
            clock));
    next.add(
        condition(
            status,
            STALLED,
            progress.stalled(),
            progress.stalled() ? progress.reason() : "NotStalled",
            progress.stalled() ? progress.message() : "progressing or done",
            generation,
            clock));
    status.setConditions(next);
  }

  private static String readyMessage(Progress p) {
    return switch (p.phase()) {
      case Ready -> "not confirmed: " + p.message();
      case Deploying -> "deploying: " + p.message();
      case Upgrading -> "upgrading: " + p.message();
      case Paused -> "upgrade paused: " + p.message();
      default -> p.message();
    };
  }

  private static Condition condition(
      CinderClusterStatus status,
      String type,
      boolean value,
      String reason,
      String message,
      long generation,
      Clock clock) {
    String s = value ? "True" : "False";
    Optional<Condition> old = status.condition(type);
    String transition =
        old.filter(c -> Objects.equals(c.getStatus(), s))
            .map(Condition::getLastTransitionTime)
            .orElse(
                Instant.now(clock).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    return new ConditionBuilder()
        .withType(type)
        .withStatus(s)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(transition)
        .build();
  }
}
