package dev.cinderoperator.bench;

import static org.awaitility.Awaitility.await;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.sim.SimulatedEnvironment;
import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import dev.cinderoperator.workload.Labels;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One upgrade of a small cluster of its own before the measured one, in the same JVM, then the
 * cluster deleted and gone. The benchmark's delays are Kubernetes' and Cinder's divided by about
 * ten, but the JVM's one-off costs (loading and compiling the upgrade's code paths, in the operator
 * and in the simulator) are not: a first upgrade in a fresh JVM paid 0.3 to 0.6 s of them, 1 to 2 %
 * of the small shape's 26 s limit, where at real timings they weigh a tenth of that. Their figure
 * is kept ({@link #describe()}) beside the measured one; only the first shape's warm-up is the
 * JVM's first upgrade.
 */
record OperatorWarmUp(double seconds, PhysicalLimit limit, boolean firstInJvm) {
  private static final AtomicBoolean RAN = new AtomicBoolean();

  static final String NAME = "warm-up";

  static OperatorWarmUp run(SimulatedEnvironment env, String ns, BenchSettings settings) {
    CinderCluster cc = settings.configured(BenchClusters.small(NAME, ns));
    env.client().resource(cc).create();
    await()
        .atMost(10, TimeUnit.MINUTES)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> BenchClusters.readyOn(env, ns, NAME, BenchClusters.FROM));
    Instant start = Instant.now();
    BenchClusters.requestUpgrade(env, ns, NAME);
    await()
        .atMost(10, TimeUnit.MINUTES)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> BenchClusters.readyOn(env, ns, NAME, BenchClusters.TO));
    double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
    int jobs =
        env.sim()
            .recorder()
            .of(JobRunEvent.class, j -> NAME.equals(j.cluster()) && !j.at().isBefore(start))
            .size();
    PhysicalLimit limit = PhysicalLimit.of(env.get(ns, NAME), jobs, settings);

    // Gone before the measured cluster exists: it must not share the operator, the database
    // counters or the simulated node with it.
    env.client().resource(env.get(ns, NAME)).delete();
    await()
        .atMost(5, TimeUnit.MINUTES)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                env.get(ns, NAME) == null
                    && env.client()
                        .pods()
                        .inNamespace(ns)
                        .withLabel(Labels.INSTANCE, NAME)
                        .list()
                        .getItems()
                        .isEmpty());
    return new OperatorWarmUp(seconds, limit, !RAN.getAndSet(true));
  }

  Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("shape", "1/1/1/1");
    m.put("operatorSeconds", seconds);
    m.put("limitSeconds", PhysicalLimit.seconds(limit.total()));
    m.put("ratio", BenchOutput.round2(seconds / PhysicalLimit.seconds(limit.total())));
    // true for the first shape only: the JVM is warm for the next one
    m.put("firstInJvm", firstInJvm);
    return m;
  }
}
