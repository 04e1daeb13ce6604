package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.FailedBackups;
import dev.cinderoperator.cinder.NullUseQuotaRows;
import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.cinder.ServicesTable;
import dev.cinderoperator.cinder.VersionProbeResult;
import dev.cinderoperator.db.DatabaseUnavailableException;
import dev.cinderoperator.db.ServiceRegistry;
import dev.cinderoperator.db.ServicesSnapshot;
import dev.cinderoperator.upgrade.FailedBackupReport;
import dev.cinderoperator.upgrade.JobState;
import dev.cinderoperator.upgrade.JobView;
import dev.cinderoperator.upgrade.Observation;
import dev.cinderoperator.upgrade.PodView;
import dev.cinderoperator.upgrade.ProbedVersions;
import dev.cinderoperator.upgrade.ServicesView;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.DesiredWorkloads;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the planner's observation of an installed cluster: pods and jobs from the informer caches,
 * the services table (reused while the cluster is quiet), backups in flight and in error, the
 * version probes' results and the scheduler fence. Reads only; decides nothing.
 */
final class UpgradeObserver {
  private static final Logger LOG = LoggerFactory.getLogger(UpgradeObserver.class);

  /** The observation, and the table it saw (empty when the database could not be read). */
  record Observed(Observation observation, Optional<ServicesSnapshot> snapshot) {}

  private record Backups(Map<String, Integer> inFlight, FailedBackups failed) {}

  private final Clock clock;
  private final ReleaseCatalog catalog;
  private final ServicesTableReads reads;

  UpgradeObserver(Clock clock, ReleaseCatalog catalog, ServicesTableReads reads) {
    this.clock = clock;
    this.catalog = catalog;
    this.reads = reads;
  }

  /**
   * @param spec the spec as the planner is to see it (with the unpin strategy this operator can
   *     carry out)
   */
  Observed observe(CinderCluster cc, CinderClusterSpec spec, UpgradeExecutor.Inputs in) {
    String name = cc.getMetadata().getName();
    CinderClusterStatus status = in.status();
    boolean quiet = isQuiet(cc, status);
    Optional<ServicesSnapshot> snapshot =
        reads.read(ServicesTableReads.key(cc), in.registry(), quiet);
    List<ServiceRow> rows = snapshot.map(ServicesSnapshot::rows).orElse(List.of());
    Set<String> stoppedHosts =
        backupRows(rows)
            .filter(ServiceRow::disabled)
            .map(ServiceRow::host)
            .collect(Collectors.toSet());
    List<PodView> pods = KubeObservations.pods(in.observed().pods());
    Optional<Backups> backups = Optional.of(new Backups(Map.of(), null));
    if (snapshot.isPresent()) {
      backups = backups(status, in.registry(), snapshot.get(), quiet, stoppedHosts, pods);
      if (backups.isEmpty()) {
        snapshot = Optional.empty();
      }
    }
    List<JobView> jobs = KubeObservations.jobs(in.observed().jobs(), in.observed().pods());
    DesiredWorkloads layout =
        new DesiredWorkloads(
            name,
            cc.getMetadata().getNamespace(),
            spec,
            in.configFiles(),
            (c, b) -> spec.getImage());
    Observation obs =
        new Observation(
            name,
            spec,
            status,
            Optional.ofNullable(cc.getMetadata().getGeneration()).orElse(0L),
            Instant.now(clock),
            pods,
            jobs,
            snapshot.map(s -> servicesView(s, spec)),
            probes(jobs),
            layout::configChecksum,
            backups.map(Backups::inFlight).orElse(Map.of()),
            stoppedHosts,
            in.fence().keptOff(),
            in.fence().problem().orElse(null),
            backups.map(Backups::failed).orElse(null),
            catalog,
            snapshot.isPresent() ? nullUseQuota(in.registry(), status) : Optional.empty());
    return new Observed(obs, snapshot);
  }

  /** Nothing under way: the services table need not be read more than once per idle interval. */
  private static boolean isQuiet(CinderCluster cc, CinderClusterStatus status) {
    UpgradeStatus u = status.getUpgrade();
    return Objects.equals(cc.getSpec().getImage(), status.getImage())
        && Objects.equals(cc.getSpec().getRelease(), status.getRelease())
        && (u == null || u.getStep() == null || u.getStep() == UpgradeStep.Complete)
        && (u == null || u.getInFlight() == null);
  }

  private static ServicesView servicesView(ServicesSnapshot s, CinderClusterSpec spec) {
    return new ServicesView(
        s.rows(),
        s.databaseNow(),
        ServicesTable.serviceDownTime(spec.configOrEmpty()),
        ServicesTable.reportInterval(spec.configOrEmpty()));
  }

  private static java.util.stream.Stream<ServiceRow> backupRows(List<ServiceRow> rows) {
    return rows.stream().filter(r -> CinderBinary.BACKUP.binaryName().equals(r.binary()));
  }

  /**
   * Backups in flight by host and in error since the upgrade began; empty when the database went
   * away meanwhile. A quiet cluster drains nothing; a drain (or a roll about to start one) counts
   * every backup host in one grouped query.
   */
  private Optional<Backups> backups(
      CinderClusterStatus status,
      ServiceRegistry registry,
      ServicesSnapshot snapshot,
      boolean quiet,
      Set<String> stoppedHosts,
      List<PodView> pods) {
    try {
      Map<String, Integer> inFlight = new HashMap<>();
      if (!quiet || !stoppedHosts.isEmpty()) {
        inFlight.putAll(registry.inFlightBackupsByHost());
        Set<String> hosts = new HashSet<>(stoppedHosts);
        backupRows(snapshot.rows()).forEach(r -> hosts.add(r.host()));
        pods.stream()
            .filter(p -> p.component() == Component.BACKUP)
            .forEach(p -> hosts.add(p.name()));
        hosts.forEach(h -> inFlight.putIfAbsent(h, 0));
      }
      return Optional.of(new Backups(inFlight, failedBackups(status, registry, snapshot)));
    } catch (DatabaseUnavailableException e) {
      return Optional.empty();
    }
  }

  /** Backups in error since the upgrade began, while one runs; null otherwise. */
  private FailedBackups failedBackups(
      CinderClusterStatus status, ServiceRegistry registry, ServicesSnapshot snapshot) {
    UpgradeStatus u = status.getUpgrade();
    if (u == null
        || u.getStep() == null
        || u.getStep() == UpgradeStep.Complete
        || u.getStartedAt() == null) {
      return null;
    }
    Instant started;
    try {
      started = Instant.parse(u.getStartedAt());
    } catch (DateTimeParseException e) {
      return null;
    }
    // updated_at is the database's clock; the start was stamped with the operator's
    Instant since = started.plus(Duration.between(Instant.now(clock), snapshot.databaseNow()));
    return registry.failedBackupsSince(since, FailedBackupReport.LISTED);
  }

  /**
   * During Preflight of an upgrade whose db sync makes use_quota NOT NULL: how many volumes and
   * snapshots still have it NULL. Not read otherwise (two counts per reconcile of that step).
   */
  private Optional<NullUseQuotaRows> nullUseQuota(
      ServiceRegistry registry, CinderClusterStatus st) {
    UpgradeStatus u = st.getUpgrade();
    if (u == null || u.getStep() != UpgradeStep.Preflight || u.getMode() == UpgradeMode.Rollback) {
      return Optional.empty();
    }
    Optional<Release> from = catalog.find(u.getFromRelease());
    Optional<Release> to = catalog.find(u.getToRelease());
    if (from.isEmpty() || to.isEmpty() || !NullUseQuotaRows.checkedOn(from.get(), to.get())) {
      return Optional.empty();
    }
    try {
      return Optional.of(registry.nullUseQuota());
    } catch (DatabaseUnavailableException e) {
      LOG.warn("could not count NULL use_quota rows: {}", e.getMessage());
      return Optional.empty();
    }
  }

  private static Map<String, ProbedVersions> probes(List<JobView> jobs) {
    Map<String, ProbedVersions> probes = new LinkedHashMap<>();
    for (JobView j : jobs) {
      if (j.kind() != Component.VERSION_PROBE || j.state() != JobState.SUCCEEDED) {
        continue;
      }
      try {
        VersionProbeResult r = VersionProbeResult.parse(j.terminationMessage());
        probes.put(
            j.image(),
            new ProbedVersions(r.rpc(), r.objects(), r.objectHistory(), r.packageVersion()));
      } catch (IllegalArgumentException e) {
        // Left out: the planner stalls with VersionProbeFailed and this message's gist.
        LOG.warn("job {}: {}", j.name(), e.getMessage());
      }
    }
    return probes;
  }
}
