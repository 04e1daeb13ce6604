package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.cinder.FailedBackups;
import dev.cinderoperator.cinder.NullUseQuotaRows;
import dev.cinderoperator.cinder.ReleaseCatalog;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the planner looks at, gathered by the executor in one reconcile. Nothing here is
 * remembered between reconciles except what the status carries.
 *
 * @param cluster the CinderCluster's name
 * @param spec its spec
 * @param status its status as last written; may be null
 * @param generation metadata.generation
 * @param now the operator's clock
 * @param pods the cluster's api, scheduler, volume and backup pods (terminating ones included)
 * @param jobs the cluster's jobs
 * @param services the services table; empty when the database cannot be reached
 * @param probes versions reported by succeeded version-probe jobs, by the image probed; an image
 *     whose probe job succeeded but is absent here had a termination message that did not parse
 * @param desiredConfigChecksums checksum of the cinder.conf files each workload's pods should run
 *     with; null to skip config rolls
 * @param inFlightBackups backups creating/restoring/deleting per backup host (0 included) when they
 *     were counted; a missing host means "not counted"
 * @param backupHostsStopped backup hosts whose service is disabled (Cinder's API sends restores,
 *     deletes and imports elsewhere)
 * @param backupHostsKeptOff backup hosts every scheduler was told, within the last seconds, to skip
 *     for new backups
 * @param schedulerBusProblem why the schedulers cannot be told right now; null when they can
 * @param failedBackups backups in error since the upgrade began; null when not read
 * @param catalog the known releases
 * @param nullUseQuota volumes and snapshots with use_quota NULL, read during Preflight of an
 *     upgrade whose db sync makes the column NOT NULL; empty otherwise
 */
public record Observation(
    String cluster,
    CinderClusterSpec spec,
    CinderClusterStatus status,
    long generation,
    Instant now,
    List<PodView> pods,
    List<JobView> jobs,
    Optional<ServicesView> services,
    Map<String, ProbedVersions> probes,
    ConfigChecksums desiredConfigChecksums,
    Map<String, Integer> inFlightBackups,
    Set<String> backupHostsStopped,
    Set<String> backupHostsKeptOff,
    String schedulerBusProblem,
    FailedBackups failedBackups,
    ReleaseCatalog catalog,
    Optional<NullUseQuotaRows> nullUseQuota) {

  public Observation {
    pods = pods == null ? List.of() : List.copyOf(pods);
    jobs = jobs == null ? List.of() : List.copyOf(jobs);
    services = services == null ? Optional.empty() : services;
    probes = probes == null ? Map.of() : Map.copyOf(probes);
    inFlightBackups = inFlightBackups == null ? Map.of() : Map.copyOf(inFlightBackups);
    backupHostsStopped = backupHostsStopped == null ? Set.of() : Set.copyOf(backupHostsStopped);
    backupHostsKeptOff = backupHostsKeptOff == null ? Set.of() : Set.copyOf(backupHostsKeptOff);
    catalog = catalog == null ? ReleaseCatalog.standard() : catalog;
    nullUseQuota = nullUseQuota == null ? Optional.empty() : nullUseQuota;
  }
}
