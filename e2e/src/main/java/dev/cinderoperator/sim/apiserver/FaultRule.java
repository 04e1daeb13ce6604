package dev.cinderoperator.sim.apiserver;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Which requests the {@link FaultInjector} may fail, when, how and how often.
 *
 * <p>While {@link #phase} names a phase for a matching request (e.g. the upgrade step the cluster
 * is in), each request has the chance {@link #probability} of starting a fault; the classes are
 * taken in a seeded order per phase (of those that can hit the request, the scarcest first) until
 * each was injected {@link #perPhase} times, so every class meets every phase that lasts long
 * enough. A fault that answers in place of the server hits the request and, as a burst, its next
 * attempts: one attempt is a blip the client's own retry absorbs; {@link #outageAttempts} outlast
 * that retry, so the error reaches the caller.
 *
 * @param name for the counts and logs
 * @param requests which requests are eligible (e.g. one client's, no watches)
 * @param phase the phase a request falls in, or null when the rule is not active for it
 * @param classes the faults to inject
 * @param perPhase how many times each class is injected per phase at most
 * @param probability the chance that an eligible request starts a fault
 * @param outageAttempts the attempts a long burst fails (more than the client retries)
 */
public record FaultRule(
    String name,
    Predicate<ApiRequest> requests,
    Function<ApiRequest, String> phase,
    List<Fault> classes,
    int perPhase,
    double probability,
    int outageAttempts) {

  public FaultRule {
    Objects.requireNonNull(name);
    Objects.requireNonNull(requests);
    Objects.requireNonNull(phase);
    classes = List.copyOf(classes);
    if (perPhase < 1 || probability <= 0 || probability > 1 || outageAttempts < 1) {
      throw new IllegalArgumentException(
          "perPhase >= 1, 0 < probability <= 1, outageAttempts >= 1");
    }
  }

  /** How few requests the fault can hit: 2 only updates, patches, deletes; 1 writes; 0 any. */
  static int scarcity(Fault fault) {
    return switch (fault) {
      case CONFLICT -> 2;
      case LOST_RESPONSE -> 1;
      default -> 0;
    };
  }

  /** Whether the fault can meaningfully hit this request (a conflict needs an existing object). */
  static boolean applies(Fault fault, ApiRequest r) {
    String verb = r.call().verb();
    return switch (fault) {
      case CONFLICT -> verb.equals("update") || verb.equals("patch") || verb.equals("delete");
      case LOST_RESPONSE -> r.isWrite() && !"exec".equals(r.call().subresource());
      case WATCH_CUT -> true;
      default -> !r.watch();
    };
  }
}
