package dev.cinderoperator.sim;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Timings and scope of a {@link SimulatedCluster}. Delays are wall-clock (the clock only stamps
 * timestamps), so a test's clock must advance.
 *
 * @param namespace the namespace the controllers and kubelet watch; null for every namespace
 * @param nodeName the node every pod is bound to
 * @param resyncInterval how often every control loop re-reads the world even without a watch event
 *     (also the readiness probe period)
 * @param podStartDelay from a pod's creation to its container running (image pull, start)
 * @param readinessDelay from running to Ready (readiness probe's initial delay)
 * @param terminationGracePeriod from a pod's deletion until its process is gone and its name free
 * @param jobRunTime how long a job's container runs before it exits
 * @param jobRetryDelay the Job controller's back-off before the next attempt after a failed pod
 * @param crashBackOff how long a crash-looping container waits in CrashLoopBackOff
 * @param reportInterval Cinder's report_interval: how often a running service heartbeats
 * @param clock stamps every timestamp the simulation writes
 * @param seed for the random pod name suffixes
 */
public record SimConfig(
    String namespace,
    String nodeName,
    Duration resyncInterval,
    Duration podStartDelay,
    Duration readinessDelay,
    Duration terminationGracePeriod,
    Duration jobRunTime,
    Duration jobRetryDelay,
    Duration crashBackOff,
    Duration reportInterval,
    Clock clock,
    long seed) {

  public SimConfig {
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(resyncInterval, "resyncInterval");
    Objects.requireNonNull(podStartDelay, "podStartDelay");
    Objects.requireNonNull(readinessDelay, "readinessDelay");
    Objects.requireNonNull(terminationGracePeriod, "terminationGracePeriod");
    Objects.requireNonNull(jobRunTime, "jobRunTime");
    Objects.requireNonNull(jobRetryDelay, "jobRetryDelay");
    Objects.requireNonNull(crashBackOff, "crashBackOff");
    Objects.requireNonNull(reportInterval, "reportInterval");
    Objects.requireNonNull(clock, "clock");
    if (resyncInterval.isNegative() || resyncInterval.isZero()) {
      throw new IllegalArgumentException("resyncInterval must be positive, got " + resyncInterval);
    }
    if (reportInterval.isNegative() || reportInterval.isZero()) {
      throw new IllegalArgumentException("reportInterval must be positive, got " + reportInterval);
    }
  }

  /** Timings a person can watch (the demo): pods take about a second to become Ready. */
  public static SimConfig realistic() {
    return new SimConfig(
        null,
        "sim-node",
        Duration.ofMillis(200),
        Duration.ofMillis(400),
        Duration.ofMillis(600),
        Duration.ofMillis(500),
        Duration.ofMillis(700),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(500),
        Clock.systemUTC(),
        1L);
  }

  /** Timings for tests: tens of milliseconds. */
  public static SimConfig fast() {
    return new SimConfig(
        null,
        "sim-node",
        Duration.ofMillis(50),
        Duration.ofMillis(20),
        Duration.ofMillis(30),
        Duration.ofMillis(30),
        Duration.ofMillis(20),
        Duration.ofMillis(20),
        Duration.ofMillis(100),
        Duration.ofMillis(100),
        Clock.systemUTC(),
        1L);
  }

  public SimConfig withNamespace(String value) {
    return with(d -> d.namespace = value);
  }

  /**
   * A copy with the changes {@code edit} makes to a draft of this config, e.g. {@code
   * SimConfig.fast().with(d -> d.podStartDelay = Duration.ofMillis(700))}.
   */
  public SimConfig with(Consumer<Draft> edit) {
    Draft draft = new Draft(this);
    edit.accept(draft);
    return draft.build();
  }

  /** The fields of a config, mutable while {@link #with} edits a copy (the record checks them). */
  public static final class Draft {
    public String namespace;
    public String nodeName;
    public Duration resyncInterval;
    public Duration podStartDelay;
    public Duration readinessDelay;
    public Duration terminationGracePeriod;
    public Duration jobRunTime;
    public Duration jobRetryDelay;
    public Duration crashBackOff;
    public Duration reportInterval;
    public Clock clock;
    public long seed;

    private Draft(SimConfig c) {
      namespace = c.namespace;
      nodeName = c.nodeName;
      resyncInterval = c.resyncInterval;
      podStartDelay = c.podStartDelay;
      readinessDelay = c.readinessDelay;
      terminationGracePeriod = c.terminationGracePeriod;
      jobRunTime = c.jobRunTime;
      jobRetryDelay = c.jobRetryDelay;
      crashBackOff = c.crashBackOff;
      reportInterval = c.reportInterval;
      clock = c.clock;
      seed = c.seed;
    }

    private SimConfig build() {
      return new SimConfig(
          namespace,
          nodeName,
          resyncInterval,
          podStartDelay,
          readinessDelay,
          terminationGracePeriod,
          jobRunTime,
          jobRetryDelay,
          crashBackOff,
          reportInterval,
          clock,
          seed);
    }
  }
}
