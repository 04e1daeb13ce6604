package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.Durations;
import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.cinder.UpgradePath;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What {@code cinder-operator plan} prints: the steps an upgrade from the status to the spec would
 * take, with the jobs and pods each touches. Computed from the spec and the pods; changes nothing.
 *
 * @param summary one line: the path and mode, or why nothing would run
 * @param mode the mode, null when no upgrade would run
 * @param steps the steps in order; empty when no upgrade would run
 * @param refusal the reason the operator would stall with (e.g. {@code DowngradeRefused}), null
 *     unless the upgrade would be refused
 */
public record UpgradePreview(
    String summary, UpgradeMode mode, List<PlannedStep> steps, String refusal) {
  public UpgradePreview {
    steps = List.copyOf(steps);
  }

  UpgradePreview(String summary, UpgradeMode mode, List<PlannedStep> steps) {
    this(summary, mode, steps, null);
  }

  /** Whether the operator would refuse this upgrade (and stall with {@link #refusal()}). */
  public boolean refused() {
    return refusal != null;
  }

  static UpgradePreview of(
      String cluster,
      CinderClusterSpec spec,
      CinderClusterStatus status,
      List<PodView> pods,
      ReleaseCatalog catalog) {
    String fromImage = status == null ? null : status.getImage();
    String fromRelease = status == null ? null : status.getRelease();
    if (fromImage == null) {
      return new UpgradePreview(
          "Nothing deployed yet: the first deployment of "
              + spec.getRelease()
              + " is not an upgrade.",
          null,
          List.of());
    }
    if (Objects.equals(fromImage, spec.getImage())
        && Objects.equals(fromRelease, spec.getRelease())) {
      return new UpgradePreview(
          "Already on " + spec.getRelease() + " (" + spec.getImage() + "): nothing to upgrade.",
          null,
          List.of());
    }
    UpgradePath path = catalog.path(fromRelease, spec.getRelease());
    UpgradeMode mode;
    switch (path) {
      case NEXT, SAME -> mode = UpgradeMode.Rolling;
      case SKIP_LEVEL -> {
        if (!spec.upgradeOrDefault().allowSkipLevelOrDefault()) {
          return refused(
              "SkipLevelNotAllowed",
              "from "
                  + fromRelease
                  + " to "
                  + spec.getRelease()
                  + " is a SLURP jump, which runs offline (every Cinder service stopped during the"
                  + " db sync). Set spec.upgrade.allowSkipLevel: true to accept the downtime, or"
                  + " upgrade one release at a time.");
        }
        mode = UpgradeMode.Offline;
      }
      case DOWNGRADE -> {
        return refused(
            "DowngradeRefused",
            spec.getRelease()
                + " is older than the running release "
                + fromRelease
                + ", and Cinder's database cannot be downgraded.");
      }
      case UNSUPPORTED_JUMP -> {
        return refused(
            "UnsupportedJump",
            "from "
                + fromRelease
                + " to "
                + spec.getRelease()
                + " is more than one release at a time. Cinder upgrades N to N+1, or from one SLURP"
                + " release to the next; upgrade to "
                + catalog.next(fromRelease).orElse("the next release")
                + " first.");
      }
      default -> {
        String unknown =
            catalog.find(spec.getRelease()).isEmpty() ? spec.getRelease() : fromRelease;
        return refused(
            "UnknownRelease",
            unknown + " is not the name of an OpenStack series (" + catalog.knownNames() + ").");
      }
    }
    String to = spec.getImage();
    ClusterLayout layout = new ClusterLayout(cluster, spec);
    Map<String, PodView> byName =
        pods.stream().collect(Collectors.toMap(PodView::name, Function.identity(), (a, b) -> a));
    Function<List<ClusterLayout.Slot>, List<String>> toRoll =
        slots ->
            slots.stream()
                .filter(s -> byName.get(s.pod()) == null || !to.equals(byName.get(s.pod()).image()))
                .map(ClusterLayout.Slot::pod)
                .toList();
    List<String> apiPods =
        pods.stream()
            .filter(p -> p.component() == Component.API && !to.equals(p.image()))
            .map(PodView::name)
            .toList();
    String hashFrom = JobHash.of(fromImage);
    String hashTo = JobHash.of(to);
    List<PlannedStep> steps = new ArrayList<>();
    steps.add(
        new PlannedStep(
            UpgradeStep.Preflight,
            "finish "
                + fromRelease
                + "'s online data migrations, probe the versions "
                + to
                + " carries, run cinder-status upgrade check, then remove (or block on) stale"
                + " services rows per spec.upgrade.staleServices",
            List.of(
                Names.dataMigrationJob(cluster, hashFrom, 1) + " (and further runs until exit 0)",
                Names.versionProbeJob(cluster, hashTo),
                Names.upgradeCheckJob(cluster, hashTo)),
            List.of()));
    List<String> all =
        new ArrayList<>(layout.forward().stream().map(ClusterLayout.Slot::pod).toList());
    if (mode == UpgradeMode.Offline) {
      List<String> everything = new ArrayList<>(all);
      everything.addAll(
          pods.stream().filter(p -> p.component() == Component.API).map(PodView::name).toList());
      steps.add(
          new PlannedStep(
              UpgradeStep.SchemaMigration,
              "stop new backups on every backup host and wait for those in flight (bounded by"
                  + " backupDrainTimeout; this ends Preflight), stop every Cinder service (scale"
                  + " to 0), then cinder-manage db sync on "
                  + to,
              List.of(Names.dbSyncJob(cluster, hashTo)),
              everything));
      steps.add(
          new PlannedStep(
              UpgradeStep.Unpinning,
              "start every service on "
                  + to
                  + ", wait until each reports the target versions, allow backups again,"
                  + " SIGHUP scheduler, volume and backup, restart the api pods",
              List.of(),
              everything));
    } else {
      steps.add(
          new PlannedStep(
              UpgradeStep.SchemaMigration,
              "cinder-manage db sync on " + to + " while the old services keep running",
              List.of(Names.dbSyncJob(cluster, hashTo)),
              List.of()));
      steps.add(
          new PlannedStep(
              UpgradeStep.Pinning,
              "record the minimum versions per binary from the services table",
              List.of(),
              List.of()));
      steps.add(
          new PlannedStep(
              UpgradeStep.RollingScheduler,
              "replace scheduler pods one at a time, each gated on Ready and its service reporting"
                  + " the target versions",
              List.of(),
              toRoll.apply(layout.schedulers())));
      steps.add(
          new PlannedStep(
              UpgradeStep.RollingVolume,
              "replace volume pods one backend after another, one pod at a time",
              List.of(),
              toRoll.apply(layout.volumes())));
      steps.add(
          new PlannedStep(
              UpgradeStep.RollingBackup,
              "per backup pod: stop new backups, wait for those in flight (up to "
                  + Durations.format(spec.upgradeOrDefault().backupDrainTimeoutOrDefault())
                  + "), replace, allow again",
              List.of(),
              toRoll.apply(layout.backups())));
      steps.add(
          new PlannedStep(
              UpgradeStep.RollingApi,
              "the api Deployment rolls to "
                  + to
                  + " without dropping below "
                  + layout.apiReplicas()
                  + " ready pods",
              List.of(),
              apiPods));
      steps.add(
          new PlannedStep(
              UpgradeStep.Unpinning,
              spec.upgradeOrDefault().unpinStrategyOrDefault()
                  + " every scheduler, volume and backup"
                  + " process so it drops the cached version pins",
              List.of(),
              all));
    }
    steps.add(
        new PlannedStep(
            UpgradeStep.DataMigration,
            "cinder-manage db online_data_migrations --max_count "
                + spec.upgradeOrDefault().onlineDataMigrationBatchOrDefault()
                + " until it exits 0",
            List.of(
                Names.dataMigrationJob(cluster, hashTo, 1) + " (and further runs until exit 0)"),
            List.of()));
    steps.add(
        new PlannedStep(
            UpgradeStep.Complete,
            "status.release becomes " + spec.getRelease(),
            List.of(),
            List.of()));
    return new UpgradePreview(
        mode
            + " upgrade from "
            + fromRelease
            + " ("
            + fromImage
            + ") to "
            + spec.getRelease()
            + " ("
            + to
            + ")",
        mode,
        steps);
  }

  private static UpgradePreview refused(String reason, String sentence) {
    return new UpgradePreview("Refused (" + reason + "): " + sentence, null, List.of(), reason);
  }
}
