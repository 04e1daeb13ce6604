package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.UpgradeSpec;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.VersionPin;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.workload.Component;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One planning pass: the observation, the status as read, and the status being drafted (by the
 * planner alone, from the {@link StatusChange}s the steps answer with).
 */
public final class PlanContext {
  // Waits on pods and jobs are woken by informer events; the others only by a poll.
  public static final Recheck RECHECK_JOB = new Recheck(Duration.ofSeconds(10), true);
  public static final Recheck RECHECK_POD = new Recheck(Duration.ofSeconds(5), true);
  public static final Recheck RECHECK_SERVICE = new Recheck(Duration.ofSeconds(10), false);
  // Counting in-flight backups is one grouped query; the schedulers are told by the fence's own
  // thread every second, so this only bounds how soon a finished drain is noticed.
  public static final Recheck RECHECK_DRAIN = new Recheck(Duration.ofSeconds(5), false);
  public static final Recheck RECHECK_PAUSED = new Recheck(Duration.ofMinutes(1), false);
  public static final Recheck RECHECK_DATABASE = new Recheck(Duration.ofSeconds(15), false);

  /** The in-flight marker of the offline upgrade's backup drain (all hosts at once). */
  public static final String OFFLINE_DRAIN = markerDrain("backups");

  /** When to look again, and whether a watch event will say so sooner. */
  public record Recheck(Duration after, boolean watched) {}

  public final Observation obs;
  public final ClusterLayout layout;
  public final UpgradeSpec policy;

  /** status.upgrade as read; null when none. */
  public final UpgradeStatus recorded;

  /**
   * The status.upgrade to write; starts as a copy of {@link #recorded}. Steps and their helpers
   * read it; only the planner writes it, applying the {@link StatusChange}s they answer with.
   */
  public UpgradeStatus draft;

  private final Map<String, PodView> podsByName = new LinkedHashMap<>();

  public PlanContext(Observation obs) {
    this.obs = obs;
    this.layout = new ClusterLayout(obs.cluster(), obs.spec());
    this.policy = obs.spec().upgradeOrDefault();
    this.recorded = obs.status() == null ? null : obs.status().getUpgrade();
    this.draft = UpgradeStatuses.copy(recorded);
    for (PodView p : obs.pods()) {
      podsByName.put(p.name(), p);
    }
  }

  public Instant now() {
    return obs.now();
  }

  public PodView pod(String name) {
    return podsByName.get(name);
  }

  public List<PodView> pods() {
    return obs.pods();
  }

  /** API pods without a deletionTimestamp, oldest first. */
  public List<PodView> liveApiPods() {
    List<PodView> api = new ArrayList<>();
    for (PodView p : obs.pods()) {
      if (p.component() == Component.API && !p.terminating()) {
        api.add(p);
      }
    }
    api.sort(
        Comparator.comparing(
            (PodView p) -> p.startedAt() != null ? p.startedAt() : p.createdAt(),
            Comparator.nullsFirst(Comparator.naturalOrder())));
    return api;
  }

  public Optional<JobView> job(String name) {
    return obs.jobs().stream().filter(j -> j.name().equals(name)).findFirst();
  }

  public ServicesView services() {
    return obs.services().orElseThrow();
  }

  public List<ServiceRow> rows() {
    return services().rows();
  }

  public Optional<ServiceRow> row(CinderBinary binary, String host) {
    return rows().stream()
        .filter(r -> binary.binaryName().equals(r.binary()) && host.equals(r.host()))
        .findFirst();
  }

  /** An instant of the operator's (and kubelet's) clock, in the database's clock. */
  public Instant toDatabaseTime(Instant t) {
    return t.plus(Duration.between(now(), services().databaseNow()));
  }

  public boolean isDown(ServiceRow row) {
    Instant seen = row.lastSeen();
    ServicesView s = services();
    return seen == null || seen.plus(s.serviceDownTime()).isBefore(s.databaseNow());
  }

  /** The versions a pod's service must report, by binary (status targets). */
  public Map<CinderBinary, VersionPin> targets() {
    return ProbedVersions.byBinary(draft == null ? null : draft.getTargets());
  }

  // --- in-flight bookkeeping -------------------------------------------------

  /** Whether the status as read names this act as in flight. */
  public boolean recordedInFlight(String marker) {
    return recorded != null && marker.equals(recorded.getInFlight());
  }

  /** Names the act in flight, keeping its start time when it was in flight already. */
  public StatusChange inFlight(String marker) {
    String since = now().toString();
    return u -> {
      if (!marker.equals(u.getInFlight())) {
        u.setInFlight(marker);
        u.setInFlightSince(since);
      }
    };
  }

  /** When the recorded in-flight act began, if it is this one. */
  public Optional<Instant> inFlightSince(String marker) {
    if (!recordedInFlight(marker) || recorded.getInFlightSince() == null) {
      return Optional.empty();
    }
    return parseInstant(recorded.getInFlightSince());
  }

  /** Applies a step's change to the draft (planner only); no change creates no draft. */
  void apply(StatusChange change) {
    if (change == StatusChange.NONE) {
      return;
    }
    ensureDraft();
    change.applyTo(draft);
  }

  void ensureDraft() {
    if (draft == null) {
      draft = new UpgradeStatus();
    }
  }

  public static Optional<Instant> parseInstant(String text) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  // --- answers ---------------------------------------------------------------

  public static NextAct waiting(String reason, String blockedBy, Recheck recheck) {
    return new NextAct(
        new Action.Wait(reason, blockedBy, recheck.after(), recheck.watched()), blockedBy);
  }

  /** Held by spec.upgrade.paused: a Wait the phase shows as Paused. */
  public static NextAct paused(String blockedBy) {
    return new NextAct(
        new Action.Wait("Paused", blockedBy, RECHECK_PAUSED.after(), RECHECK_PAUSED.watched()),
        blockedBy,
        true);
  }

  public static NextAct stall(String reason, String message, String blockedBy) {
    return new NextAct(new Action.Stall(reason, message), blockedBy);
  }

  public static String markerPod(String pod) {
    return "pod " + pod;
  }

  public static String markerDrain(String pod) {
    return "drain " + pod;
  }

  public static String markerJob(String job) {
    return "job " + job;
  }
}
