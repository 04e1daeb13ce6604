package dev.cinderoperator.demo;

import static dev.cinderoperator.demo.Demo.NAME;
import static dev.cinderoperator.demo.Demo.NS;
import static dev.cinderoperator.demo.Demo.phase;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.api.VersionPin;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.sim.SimulatedEnvironment;
import io.fabric8.kubernetes.api.model.Event;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Polls the CinderCluster and its Events and prints what a person wants to watch. */
final class Narrator {
  private final SimulatedEnvironment env;
  private final PrintStream out;
  private final Set<String> seenEvents = new HashSet<>();
  // Steps as their Events announce them (a step shorter than a display refresh is not missed),
  // timed by the times the operator recorded those Events.
  private final Map<String, java.time.Instant> stepStarted = new LinkedHashMap<>();
  private java.time.Instant completedAt;
  private final List<String> gaps = new ArrayList<>();
  private int podsReplaced;
  private List<VersionPin> pins = List.of();
  private List<VersionPin> targets = List.of();
  private final List<String> awaitingReport = new ArrayList<>();
  private String pinsBeforeUnpin;

  Narrator(SimulatedEnvironment env, PrintStream out) {
    this.env = env;
    this.out = out;
  }

  /** How a wait ended. */
  enum Outcome {
    DONE,
    /** The CinderCluster is Stalled: it needs a person, so the demo stops at once. */
    STALLED,
    TIMED_OUT
  }

  Outcome until(java.util.function.Predicate<CinderCluster> done, int timeoutSeconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
    while (System.nanoTime() < deadline) {
      CinderCluster cc = env.get(NS, NAME);
      tick(cc);
      if (done.test(cc)) {
        // Events are written in the background: one more refresh shows those of the last act
        // (a job's end) in this part of the story rather than the next.
        Thread.sleep(300);
        tick(env.get(NS, NAME));
        return Outcome.DONE;
      }
      if ("Stalled".equals(phase(cc))) {
        return Outcome.STALLED;
      }
      Thread.sleep(200); // a display refresh, not a wait on a condition
    }
    return Outcome.TIMED_OUT;
  }

  private void tick(CinderCluster cc) {
    UpgradeStatus u = cc == null || cc.getStatus() == null ? null : cc.getStatus().getUpgrade();
    List<Event> events =
        new ArrayList<>(env.client().v1().events().inNamespace(NS).list().getItems());
    // In the order the operator recorded them: creationTimestamp has whole seconds only.
    events.sort(
        java.util.Comparator.comparing(Narrator::recordedAt)
            .thenComparing(e -> e.getMetadata().getName()));
    for (Event e : events) {
      if (!seenEvents.add(e.getMetadata().getName())) {
        continue;
      }
      String reason = e.getReason();
      if (reason.equals("UpgradeStarted")) {
        step(UpgradeStep.Preflight, u, e);
        continue;
      }
      if (reason.equals("UpgradeComplete")) {
        step(UpgradeStep.Complete, u, e);
        completedAt = recordedAt(e);
        continue;
      }
      if (isStep(reason)) {
        step(UpgradeStep.valueOf(reason), u, e);
        continue;
      }
      switch (reason) {
        case "PodReplaced" -> {
          reportNewServices(u); // the previous pod's report first: its gate passed
          podsReplaced++;
          out.printf(
              "     %s  %s%n", bar(u), e.getMessage().replace("replacing pod ", "replaced "));
          awaitingReport.add(e.getMessage().replace("replacing pod ", "").split(":")[0]);
        }
        case "PinsRecorded" -> {
          // Recorded in status before the Event; read afresh in case cc predates both.
          CinderCluster now = env.get(NS, NAME);
          UpgradeStatus recorded = now == null ? null : now.getStatus().getUpgrade();
          if (recorded != null && recorded.getPins() != null) {
            pins = recorded.getPins();
            targets = recorded.getTargets();
            out.println("     pins (what new services talk down to): " + pinText(pins));
            out.println(
                "     targets (what "
                    + recorded.getToRelease()
                    + " reports):        "
                    + pinText(targets));
          }
        }
        case "PodSignalled",
            "PodRestarted",
            "ServiceRowRemoved",
            "JobStarted",
            "JobFinished",
            "BackupDrainStarted",
            "BackupDrainFinished" ->
            out.printf("     %s%n", e.getMessage());
        case "VolumeServiceGap" -> {
          // Under the replacement of its own backend's pod, after that pod's report.
          reportNewServices(u);
          gaps.add(e.getMessage());
          out.printf("       %s%n", e.getMessage());
        }
        default -> {
          if ("Warning".equals(e.getType())) {
            String first = e.getMessage().lines().findFirst().orElse("");
            out.printf("     WARNING %s: %s%n", e.getReason(), first);
          }
        }
      }
    }
    reportNewServices(u);
  }

  private static boolean isStep(String reason) {
    for (UpgradeStep s : UpgradeStep.values()) {
      if (s.name().equals(reason)) {
        return true;
      }
    }
    return false;
  }

  private void step(UpgradeStep now, UpgradeStatus u, Event e) {
    if (stepStarted.containsKey(now.name())) {
      return;
    }
    stepStarted.put(now.name(), recordedAt(e));
    if (now == UpgradeStep.RollingApi) {
      // Every service reports the target now, yet processes keep the pins they started with.
      pinsBeforeUnpin = processPins();
      if (pinsBeforeUnpin != null) {
        out.println(
            "     cinder-scheduler-0 still holds the pins it started with: " + pinsBeforeUnpin);
      }
    }
    // The status is written before the step's Event; read afresh in case u predates both.
    CinderCluster fresh = env.get(NS, NAME);
    UpgradeStatus latest = fresh == null ? u : fresh.getStatus().getUpgrade();
    out.printf("   %-18s %s%n", "[" + now + "]", bar(latest == null ? u : latest));
  }

  private static java.time.Instant recordedAt(Event e) {
    for (String t : new String[] {e.getFirstTimestamp(), e.getMetadata().getCreationTimestamp()}) {
      if (t != null) {
        try {
          return java.time.Instant.parse(t);
        } catch (java.time.format.DateTimeParseException ignored) {
          // try the next one
        }
      }
    }
    return java.time.Instant.EPOCH;
  }

  /** Prints, once, what a replaced pod's new service reports in the services table. */
  private void reportNewServices(UpgradeStatus u) {
    if (u == null || awaitingReport.isEmpty() || u.getTargets() == null) {
      return;
    }
    List<ServiceRow> rows = rows();
    for (var it = awaitingReport.iterator(); it.hasNext(); ) {
      String pod = it.next();
      for (ServiceRow row : rows) {
        boolean own = row.host().equals(pod) || row.host().startsWith(pod + "@");
        boolean atTarget =
            u.getTargets().stream()
                .anyMatch(
                    t ->
                        t.getBinary().equals(row.binary())
                            && t.getRpcVersion().equals(row.rpcVersion()));
        if (own && atTarget) {
          out.printf(
              "       %s: new service up, reports rpc %s objects %s%n",
              row.host(), row.rpcVersion(), row.objectVersion());
          it.remove();
          break;
        }
      }
    }
  }

  private List<ServiceRow> rows() {
    try {
      return env.sim().simServicesTable(NS, NAME).liveRows();
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  /**
   * The pins cinder-scheduler-0's process holds for volume, as the simulated Cinder caches them.
   */
  private String processPins() {
    return env.sim()
        .cinder()
        .process(NS, NAME + "-scheduler-0")
        .map(
            p ->
                p.pins().entrySet().stream()
                    .map(
                        e ->
                            e.getKey().binaryName().replace("cinder-", "")
                                + " "
                                + e.getValue().rpcVersion())
                    .sorted()
                    .collect(Collectors.joining(", ")))
        .orElse(null);
  }

  String services() {
    return rows().stream()
        .map(r -> r.host() + " " + r.rpcVersion())
        .sorted()
        .collect(Collectors.joining(", "));
  }

  void summary(double total) {
    out.println("== summary");
    List<Map.Entry<String, java.time.Instant>> steps = new ArrayList<>(stepStarted.entrySet());
    for (int i = 0; i < steps.size(); i++) {
      java.time.Instant end =
          i + 1 < steps.size()
              ? steps.get(i + 1).getValue()
              : completedAt != null ? completedAt : steps.get(i).getValue();
      double secs = Duration.between(steps.get(i).getValue(), end).toMillis() / 1000.0;
      out.printf("   %-18s %5.1fs%n", steps.get(i).getKey(), secs);
    }
    out.printf("   %-18s %5.1fs%n", "upgrade total", total);
    out.printf("   pods replaced one at a time: %d%n", podsReplaced);
    out.println("   pins recorded at Pinning: " + pinText(pins));
    if (pinsBeforeUnpin != null) {
      out.println(
          "   cinder-scheduler-0's cached pins before SIGHUP: "
              + pinsBeforeUnpin
              + "; after: "
              + processPins());
    }
    out.println("   every service reports the target: " + pinText(targets));
    out.println("   services now: " + services());
    out.println(
        "   volume-service gaps (active/passive backends): "
            + (gaps.isEmpty() ? "none measured" : String.join("; ", gaps)));
  }

  private static String pinText(List<VersionPin> pins) {
    return pins.stream()
        .map(
            p ->
                p.getBinary().replace("cinder-", "")
                    + " "
                    + p.getRpcVersion()
                    + "/"
                    + p.getObjectVersion())
        .collect(Collectors.joining(", "));
  }

  private static String bar(UpgradeStatus u) {
    int done = u == null || u.getCompletedSteps() == null ? 0 : u.getCompletedSteps();
    int total =
        u == null || u.getTotalSteps() == null || u.getTotalSteps() == 0 ? 1 : u.getTotalSteps();
    int width = 20;
    int filled = Math.min(width, done * width / total);
    return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + done + "/" + total;
  }
}
