package dev.cinderoperator.upgrade;

import static dev.cinderoperator.upgrade.PlanContext.RECHECK_DATABASE;
import static dev.cinderoperator.upgrade.PlanContext.RECHECK_POD;
import static dev.cinderoperator.upgrade.PlanContext.RECHECK_SERVICE;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.Durations;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UnpinStrategy;
import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.api.VersionPin;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.JobOutcome;
import dev.cinderoperator.cinder.NullUseQuotaRows;
import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.cinder.ServicesTable;
import dev.cinderoperator.cinder.UpgradePath;
import dev.cinderoperator.cinder.VersionProbeResult;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Names;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The upgrade as a pure function: an {@link Observation} in, the next {@link Decision} out. No
 * Kubernetes client, no JDBC, no clock of its own. Progress is re-derived from the observed pods,
 * jobs and services rows each time; the status carries only what cannot be observed (step, pins,
 * the act in flight, signals sent), so the same observation after an operator restart yields the
 * same decision and no finished act is repeated.
 *
 * <p>The executor writes {@link Decision#upgrade()} (and the phase/conditions) before it performs
 * {@link Decision#action()}, one action per reconcile.
 */
public final class UpgradePlanner {

  /** The in-flight marker of the offline upgrade's backup drain (all hosts at once). */
  static final String OFFLINE_DRAIN = PlanContext.markerDrain("backups");

  /** The next act of the upgrade machinery. */
  public Decision plan(Observation obs) {
    CinderClusterStatus st = obs.status();
    if (st == null || st.getImage() == null) {
      return new Decision(
          new Action.Idle(
              "FirstInstall", "no release is deployed yet: the first deployment is not an upgrade"),
          st == null ? null : UpgradeStatuses.copy(st.getUpgrade()),
          null,
          List.of());
    }
    PlanContext ctx = new PlanContext(obs);
    UpgradeStatus u = ctx.recorded;
    boolean active = u != null && u.getStep() != null && u.getStep() != UpgradeStep.Complete;
    CinderClusterSpec spec = obs.spec();
    boolean specChanged =
        !Objects.equals(spec.getImage(), st.getImage())
            || !Objects.equals(spec.getRelease(), st.getRelease());

    if (obs.services().isEmpty()) {
      NextAct b =
          PlanContext.waiting(
              "DatabaseUnavailable",
              "the Cinder database cannot be reached; nothing moves until it can",
              RECHECK_DATABASE);
      if (active) {
        ctx.draft.setBlockedBy(b.blockedBy());
      }
      return new Decision(b.action(), ctx.draft, active ? Phase.Upgrading : null, List.of());
    }

    List<Decision.Notice> notices = new ArrayList<>();
    NextAct b;
    boolean upgrading;
    if (active) {
      b = planActive(ctx, notices);
      upgrading = true;
    } else if (specChanged) {
      b = start(ctx);
      upgrading = b.action() instanceof Action.StartUpgrade;
      if (!upgrading) {
        // A refused start leaves the last upgrade's record as it was.
        return new Decision(b.action(), UpgradeStatuses.copy(u), Phase.Stalled, List.of());
      }
    } else {
      Optional<NextAct> roll = configRoll(ctx);
      if (roll.isEmpty()) {
        if (ctx.draft != null) {
          ctx.draft.setBlockedBy(null);
          ctx.draft.setInFlight(null);
          ctx.draft.setInFlightSince(null);
        }
        return new Decision(
            new Action.Idle("NothingToDo", "every pod runs " + st.getImage()),
            ctx.draft,
            null,
            ctx.notices,
            ctx.keptOff);
      }
      b = roll.get();
      upgrading = false;
    }

    b = holdIfPaused(ctx, b);
    ctx.ensureDraft();
    if (!(b.action() instanceof Action.Complete)) {
      ctx.draft.setBlockedBy(b.blockedBy());
    }
    if (upgrading) {
      Progress.apply(ctx);
    }
    if (active || upgrading) {
      FailedBackupReport.record(ctx, notices);
    }
    notices.addAll(ctx.notices);
    return new Decision(b.action(), ctx.draft, phaseOf(b), notices, ctx.keptOff);
  }

  // --- what the workload builder needs ----------------------------------------

  /**
   * The image the pod template of a workload must carry now, so templates follow the roll.
   * StatefulSets use updateStrategy OnDelete: a template change moves no pod until the planner
   * deletes it, so every volume backend switches at RollingVolume and the planner still replaces
   * their pods in order. The API Deployment rolls by itself (maxUnavailable 0) once its template
   * changes, at RollingApi. Before an upgrade is recorded, templates keep status.image.
   *
   * @param backend the volume backend (unused today: all backends switch together)
   */
  public String templateImage(
      CinderClusterStatus status, CinderClusterSpec spec, Component component, String backend) {
    if (status == null || status.getImage() == null) {
      return spec.getImage();
    }
    UpgradeStatus u = status.getUpgrade();
    if (u == null
        || u.getStep() == null
        || u.getStep() == UpgradeStep.Complete
        || u.getToImage() == null
        || u.getFromImage() == null) {
      return status.getImage();
    }
    UpgradeMode mode = u.getMode() == null ? UpgradeMode.Rolling : u.getMode();
    return switch (mode) {
      case Rollback -> u.getToImage();
      case Offline ->
          u.getStep().ordinal() >= UpgradeStep.Unpinning.ordinal()
              ? u.getToImage()
              : u.getFromImage();
      case Rolling -> {
        UpgradeStep from =
            switch (component) {
              case SCHEDULER -> UpgradeStep.RollingScheduler;
              case VOLUME -> UpgradeStep.RollingVolume;
              case BACKUP -> UpgradeStep.RollingBackup;
              case API -> UpgradeStep.RollingApi;
              default -> UpgradeStep.Preflight;
            };
        yield u.getStep().ordinal() >= from.ordinal() ? u.getToImage() : u.getFromImage();
      }
    };
  }

  /**
   * True while an offline upgrade needs every Cinder workload (api, scheduler, volume, backup)
   * scaled to 0: from the start of SchemaMigration until the db sync succeeded.
   */
  public boolean servicesStopped(CinderClusterStatus status) {
    UpgradeStatus u = status == null ? null : status.getUpgrade();
    return u != null
        && u.getMode() == UpgradeMode.Offline
        && u.getStep() == UpgradeStep.SchemaMigration;
  }

  /** The steps an upgrade to the spec would take from the status, changing nothing. */
  public UpgradePreview preview(
      String cluster,
      CinderClusterSpec spec,
      CinderClusterStatus status,
      List<PodView> pods,
      ReleaseCatalog catalog) {
    return UpgradePreview.of(cluster, spec, status, pods, catalog);
  }

  // --- starting ---------------------------------------------------------------

  private NextAct start(PlanContext ctx) {
    CinderClusterStatus st = ctx.obs.status();
    CinderClusterSpec spec = ctx.obs.spec();
    ReleaseCatalog catalog = ctx.obs.catalog();
    String from = st.getRelease();
    String to = spec.getRelease();
    UpgradePath path = catalog.path(from, to);
    UpgradeMode mode;
    switch (path) {
      case UNKNOWN -> {
        String unknown = catalog.find(to).isEmpty() ? to : from;
        return PlanContext.stall(
            "UnknownRelease",
            "release "
                + unknown
                + " is not the name of an OpenStack series ("
                + catalog.knownNames()
                + "); set spec.release to the series spec.image carries",
            null);
      }
      case DOWNGRADE -> {
        return PlanContext.stall(
            "DowngradeRefused",
            "spec.release "
                + to
                + " is older than the running release "
                + from
                + ": Cinder's database cannot be downgraded. Set spec.release and spec.image back"
                + " to "
                + from
                + " and "
                + st.getImage()
                + "; going back needs the database backup taken before the upgrade to "
                + from
                + ".",
            null);
      }
      case UNSUPPORTED_JUMP -> {
        return PlanContext.stall(
            "UnsupportedJump",
            "from "
                + from
                + " to "
                + to
                + " skips "
                + between(catalog, from, to)
                + ": Cinder upgrades one release at a time (N to N+1, rolling) or from one SLURP"
                + " release to the next (offline). Upgrade to "
                + next(catalog, from)
                + " first.",
            null);
      }
      case SKIP_LEVEL -> {
        if (!ctx.policy.allowSkipLevelOrDefault()) {
          return PlanContext.stall(
              "SkipLevelNotAllowed",
              "from "
                  + from
                  + " to "
                  + to
                  + " skips "
                  + between(catalog, from, to)
                  + ": a SLURP jump runs offline (every Cinder service is stopped during the"
                  + " db sync). Set spec.upgrade.allowSkipLevel: true to accept the downtime, or"
                  + " upgrade to "
                  + next(catalog, from)
                  + " first.",
              null);
        }
        mode = UpgradeMode.Offline;
      }
      default -> mode = UpgradeMode.Rolling;
    }
    UpgradeStatus u = new UpgradeStatus();
    u.setFromRelease(from);
    u.setToRelease(to);
    u.setFromImage(st.getImage());
    u.setToImage(spec.getImage());
    u.setMode(mode);
    u.setStep(UpgradeStep.Preflight);
    u.setStartedAt(ctx.now().toString());
    u.setStepStartedAt(ctx.now().toString());
    int total = Progress.total(mode, ctx.layout);
    u.setTotalSteps(total);
    u.setCompletedSteps(0);
    u.setDataMigrationRuns(JobSteps.nextRunAfter(st.getUpgrade(), st.getImage()));
    ctx.draft = u;
    return NextAct.of(
        new Action.StartUpgrade(from, to, st.getImage(), spec.getImage(), mode, total));
  }

  private static String between(ReleaseCatalog catalog, String from, String to) {
    return String.join(", ", catalog.between(from, to));
  }

  private static String next(ReleaseCatalog catalog, String from) {
    return catalog.next(from).orElse("the next release");
  }

  // --- an upgrade under way -----------------------------------------------------

  private NextAct planActive(PlanContext ctx, List<Decision.Notice> notices) {
    UpgradeStatus u = ctx.draft;
    CinderClusterSpec spec = ctx.obs.spec();
    boolean onTarget =
        Objects.equals(spec.getImage(), u.getToImage())
            && Objects.equals(spec.getRelease(), u.getToRelease());
    if (!onTarget) {
      boolean reverted =
          Objects.equals(spec.getImage(), u.getFromImage())
              && Objects.equals(spec.getRelease(), u.getFromRelease());
      UpgradeMode mode = u.getMode();
      if (reverted && mode == UpgradeMode.Rolling && u.getStep().beforeUnpinning()) {
        return startRollback(ctx);
      }
      if (reverted && mode == UpgradeMode.Offline && u.getStep() == UpgradeStep.Preflight) {
        return startRollback(ctx);
      }
      if (reverted && mode != UpgradeMode.Rollback) {
        String why =
            mode == UpgradeMode.Offline
                ? "the services were stopped and the database migrated by "
                    + u.getToRelease()
                    + "'s db sync, which "
                    + u.getFromRelease()
                    + " cannot run against after a skip-level jump"
                : "the services have dropped their version pins and may already use "
                    + u.getToRelease()
                    + "'s RPC and object versions, which "
                    + u.getFromRelease()
                    + "'s code cannot read";
        return PlanContext.stall(
            "RevertRefused",
            "spec was set back to "
                + u.getFromRelease()
                + " ("
                + u.getFromImage()
                + ") after "
                + u.getStep()
                + " began: "
                + why
                + ". Roll forward (set spec.release/spec.image back to "
                + u.getToRelease()
                + "/"
                + u.getToImage()
                + "), or restore the database backup taken before the upgrade and redeploy "
                + u.getFromRelease()
                + ".",
            "revert to " + u.getFromImage() + " refused at " + u.getStep());
      }
      String what =
          mode == UpgradeMode.Rollback
              ? "a rollback to " + u.getToRelease() + " (" + u.getToImage() + ") is under way"
              : "an upgrade to " + u.getToRelease() + " (" + u.getToImage() + ") is under way";
      return PlanContext.stall(
          "TargetChanged",
          "spec asks for "
              + spec.getRelease()
              + " ("
              + spec.getImage()
              + ") but "
              + what
              + ". Set spec.release/spec.image back to "
              + u.getToRelease()
              + "/"
              + u.getToImage()
              + " to let it finish"
              + (mode == UpgradeMode.Rolling && u.getStep().beforeUnpinning()
                  ? ", or to " + u.getFromRelease() + "/" + u.getFromImage() + " to roll back"
                  : "")
              + ", then change it again.",
          "spec changed during the upgrade");
    }
    return switch (u.getMode()) {
      case Rolling -> rolling(ctx, notices);
      case Offline -> offline(ctx, notices);
      case Rollback -> rollback(ctx);
    };
  }

  private NextAct rolling(PlanContext ctx, List<Decision.Notice> notices) {
    UpgradeStatus u = ctx.draft;
    UpgradeStep step = u.getStep();
    PodRoller.Goal goal =
        new PodRoller.Goal(
            p -> u.getToImage().equals(p.image()),
            "upgrade to " + u.getToRelease() + " (" + u.getToImage() + ")",
            ctx.targets(),
            false);
    return switch (step) {
      case Preflight ->
          preflight(ctx, notices).orElseGet(() -> recordStep(ctx, UpgradeStep.SchemaMigration));
      case SchemaMigration -> dbSync(ctx).orElseGet(() -> recordStep(ctx, UpgradeStep.Pinning));
      case Pinning -> pinning(ctx);
      case RollingScheduler ->
          PodRoller.roll(ctx, ctx.layout.schedulers(), goal)
              .orElseGet(() -> recordStep(ctx, UpgradeStep.RollingVolume));
      case RollingVolume ->
          PodRoller.roll(ctx, ctx.layout.volumes(), goal)
              .orElseGet(() -> recordStep(ctx, UpgradeStep.RollingBackup));
      case RollingBackup ->
          PodRoller.roll(ctx, ctx.layout.backups(), goal)
              .orElseGet(
                  () -> {
                    NextAct next = recordStep(ctx, UpgradeStep.RollingApi);
                    if (rowsAtTarget(ctx)) {
                      ctx.draft.setRowsAtTargetAt(ctx.now().toString());
                    }
                    return next;
                  });
      case RollingApi ->
          apiRollout(ctx, u.getToImage()).orElseGet(() -> recordStep(ctx, UpgradeStep.Unpinning));
      case Unpinning -> unpin(ctx).orElseGet(() -> recordStep(ctx, UpgradeStep.DataMigration));
      case DataMigration ->
          JobSteps.migrations(ctx, UpgradeJob.DATA_MIGRATION, u.getToImage(), notices)
              .or(() -> everyServiceWorks(ctx))
              .orElseGet(() -> complete(ctx));
      case Complete -> complete(ctx);
    };
  }

  private NextAct offline(PlanContext ctx, List<Decision.Notice> notices) {
    UpgradeStatus u = ctx.draft;
    return switch (u.getStep()) {
      // The drain ends Preflight: recording SchemaMigration scales every workload to 0.
      case Preflight -> {
        List<Decision.Notice> checks = new ArrayList<>();
        Optional<NextAct> pre = preflight(ctx, checks).or(() -> drainBackups(ctx, notices));
        if (pre.isPresent()) {
          yield pre.get();
        }
        // Told once, as Preflight ends, not on every reconcile of the drain.
        notices.addAll(checks);
        yield recordStep(ctx, UpgradeStep.SchemaMigration);
      }
      case SchemaMigration -> {
        // Until the old backup pods are gone, as in a rolling swap.
        for (ClusterLayout.Slot slot : ctx.layout.backups()) {
          if (ctx.pod(slot.pod()) != null) {
            ctx.keepOff(slot.host());
          }
        }
        yield stopServices(ctx)
            .or(() -> dbSync(ctx))
            .orElseGet(() -> recordStep(ctx, UpgradeStep.Unpinning));
      }
      case Unpinning -> unpin(ctx).orElseGet(() -> recordStep(ctx, UpgradeStep.DataMigration));
      case DataMigration ->
          JobSteps.migrations(ctx, UpgradeJob.DATA_MIGRATION, u.getToImage(), notices)
              .or(() -> everyServiceWorks(ctx))
              .orElseGet(() -> complete(ctx));
      default -> recordStep(ctx, UpgradeStep.Unpinning);
    };
  }

  private NextAct rollback(PlanContext ctx) {
    UpgradeStatus u = ctx.draft;
    PodRoller.Goal goal =
        new PodRoller.Goal(
            p -> u.getToImage().equals(p.image()),
            "rollback to " + u.getToRelease() + " (" + u.getToImage() + ")",
            ctx.targets().isEmpty() ? null : ctx.targets(),
            false);
    return switch (u.getStep()) {
      case RollingApi ->
          apiRollout(ctx, u.getToImage())
              .orElseGet(() -> recordStep(ctx, UpgradeStep.RollingBackup));
      case RollingBackup ->
          PodRoller.roll(ctx, ClusterLayout.reversed(ctx.layout.backups()), goal)
              .orElseGet(() -> recordStep(ctx, UpgradeStep.RollingVolume));
      case RollingVolume ->
          PodRoller.roll(ctx, ClusterLayout.reversed(ctx.layout.volumes()), goal)
              .orElseGet(() -> recordStep(ctx, UpgradeStep.RollingScheduler));
      case RollingScheduler ->
          PodRoller.roll(ctx, ClusterLayout.reversed(ctx.layout.schedulers()), goal)
              .or(() -> everyServiceWorks(ctx))
              .orElseGet(() -> complete(ctx));
      default -> recordStep(ctx, UpgradeStep.RollingApi);
    };
  }

  private NextAct startRollback(PlanContext ctx) {
    UpgradeStatus old = ctx.draft;
    UpgradeStatus r = new UpgradeStatus();
    r.setFromRelease(old.getToRelease());
    r.setToRelease(old.getFromRelease());
    r.setFromImage(old.getToImage());
    r.setToImage(old.getFromImage());
    r.setMode(UpgradeMode.Rollback);
    // Before Unpinning the runs are the Preflight's on the image this rollback returns to.
    r.setDataMigrationRuns(old.getDataMigrationRuns());
    r.setStep(UpgradeStep.RollingApi);
    r.setStartedAt(ctx.now().toString());
    r.setStepStartedAt(ctx.now().toString());
    r.setTargets(rollbackTargets(ctx, old));
    int total = Progress.total(UpgradeMode.Rollback, ctx.layout);
    r.setTotalSteps(total);
    r.setCompletedSteps(0);
    ctx.draft = r;
    return NextAct.of(
        new Action.StartRollback(
            r.getFromRelease(), r.getToRelease(), r.getFromImage(), r.getToImage(), total));
  }

  /**
   * The versions pods report once back on the source image: the pins recorded when every service
   * still ran it, else the source image's probe, else the catalog.
   */
  private static List<VersionPin> rollbackTargets(PlanContext ctx, UpgradeStatus old) {
    if (old.getPins() != null && !old.getPins().isEmpty()) {
      return UpgradeStatuses.copyPins(old.getPins());
    }
    ProbedVersions probed = ctx.obs.probes().get(old.getFromImage());
    if (probed != null) {
      return probed.toPins();
    }
    return ctx.obs
        .catalog()
        .find(old.getFromRelease())
        .filter(Release::hasExpectedVersions)
        .map(r -> new ProbedVersions(r.rpcVersions(), r.objectVersion(), List.of(), null).toPins())
        .orElseGet(ArrayList::new);
  }

  // --- steps ----------------------------------------------------------------------

  private Optional<NextAct> preflight(PlanContext ctx, List<Decision.Notice> notices) {
    UpgradeStatus u = ctx.draft;
    String cluster = ctx.obs.cluster();
    Optional<NextAct> previous =
        JobSteps.migrations(ctx, UpgradeJob.PRE_DATA_MIGRATION, u.getFromImage(), notices);
    if (previous.isPresent()) {
      return previous;
    }

    JobSteps.Once probe = JobSteps.once(ctx, UpgradeJob.VERSION_PROBE, u.getToImage());
    if (probe.pending() != null) {
      return Optional.of(probe.pending());
    }
    String probeName = probe.finished().name();
    Optional<NextAct> probeFailed =
        JobSteps.verdict(
            UpgradeJob.VERSION_PROBE,
            probe.finished(),
            "probing the versions " + u.getToImage() + " carries",
            notices);
    if (probeFailed.isPresent()) {
      return probeFailed;
    }
    ProbedVersions probed = ctx.obs.probes().get(u.getToImage());
    if (probed == null) {
      return Optional.of(
          PlanContext.stall(
              "VersionProbeFailed",
              "job "
                  + probeName
                  + " succeeded but its output could not be read as versions; is "
                  + u.getToImage()
                  + " a Cinder image? Delete job "
                  + probeName
                  + " to probe again."
                  + JobSteps.detail(probe.finished()),
              "job " + probeName + ": unreadable output"));
    }
    // Told once, as the step ends, like the check's warnings.
    List<Decision.Notice> atEnd = new ArrayList<>();
    Optional<NextAct> mismatch = releaseMismatch(ctx, probed, atEnd);
    if (mismatch.isPresent()) {
      return mismatch;
    }
    u.setTargets(probed.toPins());

    JobSteps.Once check = JobSteps.once(ctx, UpgradeJob.UPGRADE_CHECK, u.getToImage());
    if (check.pending() != null) {
      return Optional.of(check.pending());
    }
    JobOutcome checked = JobSteps.outcome(UpgradeJob.UPGRADE_CHECK, check.finished(), 0);
    if (!checked.proceeds()) {
      return Optional.of(JobSteps.stall(checked, check.finished(), "checking " + u.getToImage()));
    }

    Optional<NextAct> nullUseQuota = nullUseQuota(ctx);
    if (nullUseQuota.isPresent()) {
      return nullUseQuota;
    }
    ServiceRowAudit audit = ServiceRowAudit.of(ctx, ctx.targets(), u.getToRelease());
    Optional<NextAct> rows = audit.resolve(ctx);
    if (rows.isPresent()) {
      return rows;
    }
    // Only once the rows are resolved: the warning is told once, as the step ends.
    JobSteps.notice(checked, check.finished(), notices);
    notices.addAll(atEnd);
    return Optional.empty();
  }

  /**
   * Whether the target image carries spec.release. The package version the probe read is the truth:
   * its major names the series by rule (28 is 2026.1, 29 is 2026.2), so a mislabelled image stalls
   * here, before the db sync. The catalog's expected RPC and object versions are only a
   * cross-check: with a package version that agrees, a difference is told (the image's versions are
   * used); without one (a probe that could not read it), a difference stalls as before.
   */
  private static Optional<NextAct> releaseMismatch(
      PlanContext ctx, ProbedVersions probed, List<Decision.Notice> notices) {
    UpgradeStatus u = ctx.draft;
    ReleaseCatalog catalog = ctx.obs.catalog();
    Optional<Integer> major = VersionProbeResult.majorOf(probed.packageVersion());
    if (major.isPresent()) {
      Optional<Release> carried = catalog.ofCinderMajor(major.get());
      if (carried.isEmpty() || !carried.get().name().equals(u.getToRelease())) {
        String carries =
            carried
                .map(r -> "Cinder " + probed.packageVersion() + ", which is " + r.name())
                .orElse(
                    "Cinder "
                        + probed.packageVersion()
                        + ", which is no series this"
                        + " operator can name");
        return Optional.of(
            PlanContext.stall(
                "ReleaseMismatch",
                "image "
                    + u.getToImage()
                    + " carries "
                    + carries
                    + ", not spec.release "
                    + u.getToRelease()
                    + " (Cinder "
                    + catalog.find(u.getToRelease()).map(Release::cinderMajor).orElse(0)
                    + ".x): the image is mislabelled or spec.release is wrong. Nothing was"
                    + " changed. Set spec.image to an image of "
                    + u.getToRelease()
                    + carried.map(r -> ", or spec.release to " + r.name()).orElse("")
                    + ".",
                "image carries " + carries));
      }
    }
    List<String> diffs = versionDifferences(catalog, u.getToRelease(), probed);
    if (diffs.isEmpty()) {
      return Optional.empty();
    }
    if (major.isPresent()) {
      notices.add(
          new Decision.Notice(
              "CatalogVersionsDiffer",
              "image "
                  + u.getToImage()
                  + " (Cinder "
                  + probed.packageVersion()
                  + ") reports "
                  + String.join(", ", diffs)
                  + "; the gate uses what the image reports",
              true));
      return Optional.empty();
    }
    return Optional.of(
        PlanContext.stall(
            "ReleaseMismatch",
            "image "
                + u.getToImage()
                + " reports "
                + String.join(", ", diffs)
                + ": it does not carry release "
                + u.getToRelease()
                + ". Set spec.release to the series the image carries.",
            "image does not match spec.release"));
  }

  /** Where the probe and the catalog's expectations of {@code release} differ. */
  private static List<String> versionDifferences(
      ReleaseCatalog catalog, String release, ProbedVersions probed) {
    Optional<Release> expected = catalog.find(release);
    List<String> diffs = new ArrayList<>();
    if (expected.isEmpty() || !expected.get().hasExpectedVersions()) {
      // A series newer than the table: the probe alone says what it reports.
      return diffs;
    }
    for (CinderBinary b : CinderBinary.values()) {
      String want = expected.get().rpcVersion(b);
      String got = probed.rpcVersions().get(b);
      if (want != null && got != null && !PodGate.same(got, want)) {
        diffs.add(b.binaryName() + " rpc " + got + " (" + release + ": " + want + ")");
      }
    }
    if (!PodGate.same(probed.objectVersion(), expected.get().objectVersion())) {
      diffs.add(
          "objects "
              + probed.objectVersion()
              + " ("
              + release
              + ": "
              + expected.get().objectVersion()
              + ")");
    }
    return diffs;
  }

  /**
   * Rows the target's db sync is known to refuse (NULL use_quota, deleted rows included: Launchpad
   * bug 2070475): a stall before anything is stopped or migrated, with the SQL to inspect them. The
   * running release's own data migrations ran first, so what is left they do not fix.
   */
  private static Optional<NextAct> nullUseQuota(PlanContext ctx) {
    UpgradeStatus u = ctx.draft;
    ReleaseCatalog catalog = ctx.obs.catalog();
    Optional<Release> from = catalog.find(u.getFromRelease());
    Optional<Release> to = catalog.find(u.getToRelease());
    if (from.isEmpty() || to.isEmpty() || !NullUseQuotaRows.checkedOn(from.get(), to.get())) {
      return Optional.empty();
    }
    Optional<NullUseQuotaRows> found = ctx.obs.nullUseQuota();
    if (found.isEmpty()) {
      return Optional.of(
          PlanContext.waiting(
              "DatabaseUnavailable",
              "counting the volumes and snapshots whose use_quota is NULL before "
                  + u.getToRelease()
                  + "'s db sync",
              RECHECK_DATABASE));
    }
    if (!found.get().any()) {
      return Optional.empty();
    }
    String counts =
        found.get().volumes() + " volumes and " + found.get().snapshots() + " snapshots";
    return Optional.of(
        PlanContext.stall(
            "NullUseQuota",
            counts
                + " have use_quota NULL (deleted rows included): "
                + u.getToRelease()
                + "'s db sync makes the column NOT NULL and fails on them (Launchpad bug 2070475:"
                + " the online data migrations of 2023.1, and of 2023.2 before 23.5.0, skip"
                + " soft-deleted rows). Nothing was stopped or migrated. Inspect them: "
                + NullUseQuotaRows.INSPECT_SQL
                + " Then set it on the deleted ones (UPDATE volumes SET use_quota = 1 WHERE"
                + " use_quota IS NULL AND deleted = 1; the same for snapshots) or purge old deleted"
                + " rows (cinder-manage db purge <days>); the upgrade goes on once none is left.",
            counts + " with use_quota NULL"));
  }

  private Optional<NextAct> dbSync(PlanContext ctx) {
    UpgradeStatus u = ctx.draft;
    JobSteps.Once sync = JobSteps.once(ctx, UpgradeJob.DB_SYNC, u.getToImage());
    if (sync.pending() != null) {
      return Optional.of(sync.pending());
    }
    return JobSteps.verdict(
        UpgradeJob.DB_SYNC,
        sync.finished(),
        "migrating the schema for "
            + u.getToImage()
            + " (the old services still run on the additive schema; reverting spec rolls back)",
        List.of());
  }

  private NextAct pinning(PlanContext ctx) {
    UpgradeStatus u = ctx.draft;
    if (u.getPins() != null && !u.getPins().isEmpty()) {
      return recordStep(ctx, UpgradeStep.RollingScheduler);
    }
    ServiceRowAudit audit = ServiceRowAudit.of(ctx, ctx.targets(), u.getToRelease());
    Optional<NextAct> rows = audit.resolve(ctx);
    if (rows.isPresent()) {
      return rows.get();
    }
    List<VersionPin> pins =
        ServicesTable.minimumVersions(ctx.rows()).stream()
            .filter(p -> CinderBinary.fromBinaryName(p.getBinary()).isPresent())
            .toList();
    if (pins.isEmpty()) {
      return recordStep(ctx, UpgradeStep.RollingScheduler);
    }
    u.setPins(pins);
    return NextAct.of(new Action.RecordPins(pins, UpgradeStatuses.copyPins(u.getTargets())));
  }

  /**
   * Offline, before every service stops: disable every backup host and tell the schedulers to skip
   * them all (new backups fail at once with "Service not found" instead of landing on a host about
   * to stop), then wait for the backups in flight, as the rolling path does per pod. The hosts are
   * allowed again once their new pods pass their gate in Unpinning.
   */
  private static Optional<NextAct> drainBackups(PlanContext ctx, List<Decision.Notice> notices) {
    List<String> hosts = new ArrayList<>();
    for (ClusterLayout.Slot slot : ctx.layout.backups()) {
      hosts.add(slot.host());
      ctx.keepOff(slot.host());
    }
    for (ClusterLayout.Slot slot : ctx.layout.backups()) {
      if (!ctx.obs.backupHostsStopped().contains(slot.host())) {
        ctx.markInFlight(OFFLINE_DRAIN);
        return Optional.of(
            new NextAct(
                new Action.StopNewBackups(slot.host()),
                "offline upgrade: stopping new backups on " + slot.host()));
      }
    }
    if (hosts.isEmpty()) {
      return Optional.empty();
    }
    BackupDrain drain = BackupDrain.of(ctx, OFFLINE_DRAIN, hosts, "offline upgrade", true);
    if (drain.abandoned() > 0) {
      notices.add(
          new Decision.Notice(
              "BackupDrainTimeout",
              "offline upgrade: backupDrainTimeout passed with "
                  + drain.abandoned()
                  + " backups in flight; stopping the services anyway"
                  + " (backupDrainTimeoutAction: Proceed), Cinder marks them error",
              true));
    }
    return drain.blocked();
  }

  /** Offline: every Cinder pod gone before the db sync. */
  private Optional<NextAct> stopServices(PlanContext ctx) {
    long running = ctx.pods().stream().filter(p -> !p.terminating()).count();
    if (running > 0) {
      return Optional.of(
          new NextAct(
              new Action.StopServices(
                  "offline upgrade to "
                      + ctx.draft.getToRelease()
                      + ": scaling every Cinder workload to 0 before the db sync"),
              "stopping services: " + running + " pods still running"));
    }
    if (!ctx.pods().isEmpty()) {
      return Optional.of(
          PlanContext.waiting(
              "StoppingServices",
              "stopping services: " + ctx.pods().size() + " pods terminating",
              RECHECK_POD));
    }
    return Optional.empty();
  }

  /**
   * RollingApi: the Deployment rolls by itself; the API is settled, or its pods still change, or it
   * stalls {@code ApiRolloutStuck} when nothing moved for podReadyTimeout (since the step began or
   * the newest pod on the image was created, whichever is later): quota, admission or scheduling
   * can keep the Deployment from creating pods, which no pod's own gate would catch.
   */
  private static Optional<NextAct> apiRollout(PlanContext ctx, String image) {
    Optional<NextAct> settled = apiSettled(ctx, image);
    if (settled.isEmpty()
        || !(settled.get().action() instanceof Action.Wait w)
        || !"WaitingForApiRollout".equals(w.reason())) {
      return settled;
    }
    Instant since = PlanContext.parseInstant(ctx.draft.getStepStartedAt()).orElse(ctx.now());
    List<String> onOther = new ArrayList<>();
    List<String> terminating = new ArrayList<>();
    for (PodView p : ctx.pods()) {
      if (p.component() != Component.API) {
        continue;
      }
      if (p.terminating()) {
        terminating.add(p.name());
      } else if (!image.equals(p.image())) {
        onOther.add(p.name());
      } else if (p.createdAt() != null && p.createdAt().isAfter(since)) {
        since = p.createdAt();
      }
    }
    Duration timeout = ctx.policy.podReadyTimeoutOrDefault();
    if (!ctx.now().isAfter(since.plus(timeout))) {
      return settled;
    }
    String pods =
        (onOther.isEmpty() ? "" : "; still on another image: " + String.join(", ", onOther))
            + (terminating.isEmpty() ? "" : "; terminating: " + String.join(", ", terminating));
    String text =
        "api: Deployment "
            + Names.api(ctx.obs.cluster())
            + " has not progressed to "
            + image
            + " for "
            + Durations.format(timeout)
            + " (podReadyTimeout): "
            + apiProgress(ctx, image)
            + pods;
    return Optional.of(
        PlanContext.stall(
            "ApiRolloutStuck",
            text
                + ". Look at the Deployment and its ReplicaSets (kubectl describe deployment "
                + Names.api(ctx.obs.cluster())
                + "): a quota, an admission webhook, scheduling or a finalizer can keep it from"
                + " creating or removing pods. Fix the cause, or revert spec.image to roll back.",
            text));
  }

  /** API pods: as many as the spec asks for, every one on the image and Ready. */
  private static Optional<NextAct> apiSettled(PlanContext ctx, String image) {
    List<PodView> live = ctx.liveApiPods();
    for (PodView p : live) {
      if (image.equals(p.image())) {
        Optional<NextAct> gate = PodGate.ready(ctx, p);
        if (gate.isPresent()) {
          return gate;
        }
      }
    }
    long onImage = live.stream().filter(p -> image.equals(p.image())).count();
    boolean terminating =
        ctx.pods().stream().anyMatch(p -> p.component() == Component.API && p.terminating());
    if (onImage < live.size() || onImage < ctx.layout.apiReplicas() || terminating) {
      return Optional.of(
          PlanContext.waiting(
              "WaitingForApiRollout", "api: " + apiProgress(ctx, image), RECHECK_POD));
    }
    return Optional.empty();
  }

  private static String apiProgress(PlanContext ctx, String image) {
    long onImage = ctx.liveApiPods().stream().filter(p -> image.equals(p.image())).count();
    return onImage + " of " + ctx.layout.apiReplicas() + " pods run " + image + " and are Ready";
  }

  /** Whether every services row is at the target and no stale row remains. */
  private static boolean rowsAtTarget(PlanContext ctx) {
    ServiceRowAudit audit = ServiceRowAudit.of(ctx, ctx.targets(), ctx.draft.getToRelease());
    return audit.foreign.isEmpty()
        && audit.ownStale.isEmpty()
        && audit.ownIncompatible.isEmpty()
        && audit.ownBelowTarget.isEmpty();
  }

  /**
   * Unpinning: once every pod runs the target and every row reports it, SIGHUP (or restart) each
   * scheduler, volume and backup process that started before the rows reached the target, then
   * restart the API pods that did. Offline upgrades start their services here.
   */
  private Optional<NextAct> unpin(PlanContext ctx) {
    UpgradeStatus u = ctx.draft;
    String image = u.getToImage();
    for (ClusterLayout.Slot slot : ctx.layout.forward()) {
      PodView p = ctx.pod(slot.pod());
      if (p == null || p.terminating()) {
        return Optional.of(
            PlanContext.waiting(
                "WaitingForPod",
                "pod " + slot.pod() + (p == null ? " is missing" : " is terminating"),
                RECHECK_POD));
      }
      if (!image.equals(p.image())) {
        return Optional.of(
            PlanContext.waiting(
                "WaitingForPod",
                "pod " + slot.pod() + " runs " + p.image() + ", not " + image,
                RECHECK_POD));
      }
      Optional<NextAct> gate = PodGate.check(ctx, p, slot, ctx.targets());
      if (gate.isPresent()) {
        return gate;
      }
      // Offline upgrades stopped new backups before stopping the services; the flag outlives them.
      // (Rolling upgrades allow each host as its pod passes; a Restart unpin drains it again.)
      if (u.getMode() == UpgradeMode.Offline
          && slot.component() == Component.BACKUP
          && ctx.obs.backupHostsStopped().contains(slot.host())) {
        return Optional.of(NextAct.of(new Action.AllowNewBackups(slot.host())));
      }
    }
    Optional<NextAct> api = apiSettled(ctx, image);
    if (api.isPresent()) {
      return api;
    }
    ServiceRowAudit audit = ServiceRowAudit.of(ctx, ctx.targets(), u.getToRelease());
    Optional<NextAct> rows = audit.resolve(ctx);
    if (rows.isPresent()) {
      return rows;
    }
    if (!audit.ownBelowTarget.isEmpty()) {
      ServiceRowAudit.Finding f = audit.ownBelowTarget.get(0);
      return Optional.of(
          PlanContext.waiting(
              "WaitingForServiceReport",
              "service "
                  + f.describe()
                  + " is below the target "
                  + ctx.targets().get(CinderBinary.fromBinaryName(f.row().binary()).orElseThrow()),
              RECHECK_SERVICE));
    }

    Instant reached = PlanContext.parseInstant(u.getRowsAtTargetAt()).orElse(ctx.now());
    u.setRowsAtTargetAt(reached.toString());

    if (ctx.policy.unpinStrategyOrDefault() == UnpinStrategy.Restart) {
      PodRoller.Goal goal =
          new PodRoller.Goal(
              p -> p.startedAt() == null || p.startedAt().isAfter(reached),
              "restart to drop the cached version pins",
              ctx.targets(),
              true);
      Optional<NextAct> restart = PodRoller.roll(ctx, ctx.layout.forward(), goal);
      if (restart.isPresent()) {
        return restart;
      }
    } else {
      for (ClusterLayout.Slot slot : ctx.layout.forward()) {
        PodView p = ctx.pod(slot.pod());
        if (p.startedAt() == null || p.startedAt().isAfter(reached)) {
          continue;
        }
        Action.SignalPod signal = new Action.SignalPod(p.name(), p.uid());
        if (toldOnce(u, signal)) {
          continue;
        }
        if (!p.running()) {
          return Optional.of(
              PlanContext.waiting(
                  "WaitingForPod", "pod " + p.name() + ": waiting for it to run", RECHECK_POD));
        }
        return Optional.of(new NextAct(signal, "pod " + p.name() + ": signalling"));
      }
    }

    for (PodView p : ctx.liveApiPods()) {
      Instant started = p.startedAt() != null ? p.startedAt() : p.createdAt();
      // Strictly before: an API pod the Deployment started once the rows were at the target
      // (RollingApi begins only then) read the target versions. Kubernetes stamps whole seconds,
      // so compare with the second the rows got there: an API pod on the target image cannot
      // have been created before RollingApi began.
      if (started != null && started.isBefore(reached.truncatedTo(ChronoUnit.SECONDS))) {
        Optional<NextAct> blocker = PodInventory.blocker(ctx, p.name());
        if (blocker.isPresent()) {
          return blocker;
        }
        ctx.markInFlight(PlanContext.markerPod(p.name()));
        return Optional.of(
            new NextAct(
                new Action.RestartPod(
                    p.name(),
                    p.uid(),
                    Component.API,
                    "cinder-api caches version pins and ignores SIGHUP; it started before every"
                        + " service reported the target"),
                "pod " + p.name() + ": restarting"));
      }
    }
    return Optional.empty();
  }

  /**
   * Before Complete: every scheduler, volume and backup pod is there, on the target image, and its
   * service still works (its gate again: versions, a heartbeat since its start, up now).
   */
  private static Optional<NextAct> everyServiceWorks(PlanContext ctx) {
    String image = ctx.draft.getToImage();
    for (ClusterLayout.Slot slot : ctx.layout.forward()) {
      PodView p = ctx.pod(slot.pod());
      if (p == null || p.terminating() || !image.equals(p.image())) {
        return Optional.of(
            PlanContext.waiting(
                "WaitingForPod",
                "pod "
                    + slot.pod()
                    + (p == null
                        ? " is missing"
                        : p.terminating() ? " is terminating" : " runs " + p.image())
                    + " (before completing)",
                RECHECK_POD));
      }
      Optional<NextAct> gate =
          PodGate.check(ctx, p, slot, ctx.targets().isEmpty() ? null : ctx.targets());
      if (gate.isPresent()) {
        return gate;
      }
    }
    return Optional.empty();
  }

  // --- config-only roll -------------------------------------------------------------

  private Optional<NextAct> configRoll(PlanContext ctx) {
    ConfigChecksums desired = ctx.obs.desiredConfigChecksums();
    if (desired == null) {
      return Optional.empty();
    }
    boolean needed = false;
    for (ClusterLayout.Slot slot : ctx.layout.forward()) {
      PodView p = ctx.pod(slot.pod());
      boolean stale = p != null && !p.terminating() && !carriesDesired(desired, p);
      boolean inFlight =
          ctx.recordedInFlight(PlanContext.markerPod(slot.pod()))
              || ctx.recordedInFlight(PlanContext.markerDrain(slot.pod()))
              || (slot.component() == Component.BACKUP
                  && ctx.obs.backupHostsStopped().contains(slot.host()));
      needed |= stale || inFlight;
    }
    if (!needed) {
      return Optional.empty();
    }
    PodRoller.Goal goal =
        new PodRoller.Goal(p -> carriesDesired(desired, p), "cinder.conf changed", null, false);
    return PodRoller.roll(ctx, ctx.layout.forward(), goal);
  }

  private static boolean carriesDesired(ConfigChecksums desired, PodView p) {
    String want = desired.desiredFor(p.component(), p.backend());
    return want == null || want.equals(p.configChecksum());
  }

  // --- bookkeeping ------------------------------------------------------------------

  /**
   * Whether this pod was signalled, or restarted because it could not be. A marker is recorded only
   * once the rows are at the target, so a later incarnation of the same pod (another uid) started
   * after that and read the target versions: it is not signalled again, even when Kubernetes'
   * whole-second start time puts its start in the same second as the rows'.
   */
  private static boolean toldOnce(UpgradeStatus u, Action.SignalPod signal) {
    if (u.getSignalledPods() == null) {
      return false;
    }
    String pod = signal.pod() + "/";
    return u.getSignalledPods().stream().anyMatch(m -> m.startsWith(pod));
  }

  private static NextAct recordStep(PlanContext ctx, UpgradeStep next) {
    UpgradeStatus u = ctx.draft;
    UpgradeStep previous = u.getStep();
    u.setStep(next);
    u.setStepStartedAt(ctx.now().toString());
    u.setInFlight(null);
    u.setInFlightSince(null);
    if (next == UpgradeStep.DataMigration) {
      u.setDataMigrationRuns(null);
    }
    return NextAct.of(new Action.RecordStep(previous, next));
  }

  private static NextAct complete(PlanContext ctx) {
    UpgradeStatus u = ctx.draft;
    u.setStep(UpgradeStep.Complete);
    u.setStepStartedAt(ctx.now().toString());
    u.setFinishedAt(ctx.now().toString());
    u.setInFlight(null);
    u.setInFlightSince(null);
    u.setBlockedBy(null);
    return NextAct.of(new Action.Complete(u.getToRelease(), u.getToImage()));
  }

  /** paused: finish what is in flight, start nothing new. */
  private static NextAct holdIfPaused(PlanContext ctx, NextAct b) {
    if (!ctx.policy.pausedOrDefault() || !b.action().changesWorld() || continues(ctx, b.action())) {
      return b;
    }
    if (ctx.draft != null) {
      ctx.draft.setInFlight(ctx.recorded == null ? null : ctx.recorded.getInFlight());
      ctx.draft.setInFlightSince(ctx.recorded == null ? null : ctx.recorded.getInFlightSince());
      // Nothing is deleted: no gap to measure.
      ctx.draft.setVolumeGapHost(ctx.recorded == null ? null : ctx.recorded.getVolumeGapHost());
      ctx.draft.setVolumeGapFrom(ctx.recorded == null ? null : ctx.recorded.getVolumeGapFrom());
    }
    return PlanContext.paused(
        "paused by spec.upgrade.paused"
            + (b.blockedBy() == null ? "" : "; next: " + b.blockedBy()));
  }

  private static boolean continues(PlanContext ctx, Action a) {
    if (a instanceof Action.AllowNewBackups) {
      return true;
    }
    if (a instanceof Action.ReplacePod r) {
      return inFlightPod(ctx, r.pod());
    }
    if (a instanceof Action.RestartPod r) {
      return inFlightPod(ctx, r.pod());
    }
    if (a instanceof Action.StopNewBackups s) {
      return ctx.recordedInFlight(PlanContext.markerDrain(s.host()))
          || ctx.recordedInFlight(OFFLINE_DRAIN);
    }
    if (a instanceof Action.CreateJob j) {
      return ctx.recordedInFlight(PlanContext.markerJob(j.name()));
    }
    return false;
  }

  private static boolean inFlightPod(PlanContext ctx, String pod) {
    return ctx.recordedInFlight(PlanContext.markerPod(pod))
        || ctx.recordedInFlight(PlanContext.markerDrain(pod))
        || ctx.obs.backupHostsStopped().contains(pod);
  }

  private static Phase phaseOf(NextAct next) {
    Action a = next.action();
    if (a instanceof Action.Stall) {
      return Phase.Stalled;
    }
    if (next.paused()) {
      return Phase.Paused;
    }
    if (a instanceof Action.Complete) {
      return Phase.Ready;
    }
    return Phase.Upgrading;
  }
}
