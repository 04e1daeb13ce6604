package dev.cinderoperator.bench;

import dev.cinderoperator.api.CinderCluster;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The least time a safe rolling upgrade can take on the simulated cluster: the waits that must be
 * one after the other, summed.
 *
 * <ul>
 *   <li>each job the plan runs: its pod's start plus its run time (a job reads what the one before
 *       it did, so they cannot overlap);
 *   <li>each scheduler, volume and backup pod, one at a time: the old pod's termination (its name
 *       must be free before the StatefulSet recreates it), the new pod's start, then the later of
 *       Ready and the service's first heartbeat after the start. The gate counts a heartbeat only
 *       when {@code report_count} rose since the container started; the row Cinder writes at start
 *       ({@code Service.__init__}) does not count. Cinder's {@code report_state} timer first fires
 *       one {@code report_interval} after the service starts ({@code
 *       initial_delay=report_interval}), and the simulated Cinder does the same, so the first
 *       heartbeat is at start + report interval;
 *   <li>the API roll, one surge pod at a time: start plus Ready (the old pod terminates meanwhile).
 * </ul>
 *
 * Nothing of the operator's own work (reconciles, API writes, polls) is in it.
 */
record PhysicalLimit(
    int jobs, int serialPods, int apiPods, Duration perJob, Duration perPod, Duration perApiPod) {

  static PhysicalLimit of(CinderCluster cc, int jobsRun, BenchSettings s) {
    var spec = cc.getSpec();
    int volumePods = spec.getVolumes().stream().mapToInt(v -> v.getReplicas()).sum();
    int serial = spec.getScheduler().getReplicas() + volumePods + spec.backupReplicas();
    Duration firstHeartbeat = s.reportInterval(); // report_state's initial delay (see above)
    Duration afterStart =
        s.readiness().compareTo(firstHeartbeat) >= 0 ? s.readiness() : firstHeartbeat;
    return new PhysicalLimit(
        jobsRun,
        serial,
        spec.getApi().getReplicas(),
        s.podStart().plus(s.jobRunTime()),
        s.terminationGrace().plus(s.podStart()).plus(afterStart),
        s.podStart().plus(s.readiness()));
  }

  Duration total() {
    return perJob
        .multipliedBy(jobs)
        .plus(perPod.multipliedBy(serialPods))
        .plus(perApiPod.multipliedBy(apiPods));
  }

  Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("jobs", jobs);
    m.put("perJobSeconds", seconds(perJob));
    m.put("serialPods", serialPods);
    m.put("perPodSeconds", seconds(perPod));
    m.put("perPod", "termination + start + max(readiness, report interval)");
    m.put("apiPods", apiPods);
    m.put("perApiPodSeconds", seconds(perApiPod));
    m.put("limitSeconds", seconds(total()));
    return m;
  }

  static double seconds(Duration d) {
    return Math.round(d.toMillis() / 10.0) / 100.0;
  }
}
