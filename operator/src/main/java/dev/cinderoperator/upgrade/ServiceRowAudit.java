package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.StaleServicesPolicy;
import dev.cinderoperator.api.VersionPin;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.DottedVersion;
import dev.cinderoperator.cinder.ServiceRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Sorts the services rows the way pinning sees them (cinder-upgrade-facts §0.1, §3.2): every
 * non-deleted row counts, up or down, so stale rows hold the whole deployment pinned and
 * version-less or unknown-version rows stop services from starting.
 */
public final class ServiceRowAudit {

  /** A row and what is wrong with it. */
  public record Finding(ServiceRow row, String problem) {
    public String describe() {
      return row.binary() + " " + row.host() + " (" + problem + ")";
    }
  }

  /** Rows named like this cluster's services that no pod owns and that are down or unusable. */
  public final List<Finding> ownStale = new ArrayList<>();

  /** Rows of this cluster's live pods whose versions the target cannot use. */
  public final List<Finding> ownIncompatible = new ArrayList<>();

  /** Rows of this cluster's services still below the target versions. */
  public final List<Finding> ownBelowTarget = new ArrayList<>();

  /** Rows not named like this cluster's services that would pin below the target. */
  public final List<Finding> foreign = new ArrayList<>();

  private ServiceRowAudit() {}

  public static ServiceRowAudit of(
      PlanContext ctx, Map<CinderBinary, VersionPin> targets, String targetRelease) {
    ServiceRowAudit audit = new ServiceRowAudit();
    Optional<Set<String>> knownObjects = knownObjectVersions(ctx, targetRelease);
    for (ServiceRow row : ctx.rows()) {
      Optional<CinderBinary> binary = CinderBinary.fromBinaryName(row.binary());
      if (binary.isEmpty()) {
        continue;
      }
      boolean versionless =
          !DottedVersion.isValid(row.rpcVersion()) || !DottedVersion.isValid(row.objectVersion());
      boolean unknownObject =
          !versionless
              && knownObjects.isPresent()
              && !knownObjects.get().contains(row.objectVersion());
      VersionPin target = targets.get(binary.get());
      boolean below =
          !versionless
              && target != null
              && !(PodGate.atLeast(row.rpcVersion(), target.getRpcVersion())
                  && PodGate.atLeast(row.objectVersion(), target.getObjectVersion()));
      String versions = "rpc " + row.rpcVersion() + ", objects " + row.objectVersion();
      String unusable =
          versionless
              ? "no versions: Cinder raises ServiceTooOld"
              : unknownObject
                  ? "objects "
                      + row.objectVersion()
                      + " unknown to "
                      + targetRelease
                      + ": Cinder raises CappedVersionUnknown"
                  : null;
      if (ctx.layout.isOwnRow(row)) {
        boolean owned = ctx.layout.expects(row.binary(), row.host()) || ownedByPod(ctx, row);
        if (!owned && (ctx.isDown(row) || unusable != null)) {
          audit.ownStale.add(
              new Finding(
                  row,
                  (unusable != null ? unusable + "; " : "")
                      + "no pod owns it, last heartbeat "
                      + row.lastSeen()));
        } else if (unusable != null) {
          audit.ownIncompatible.add(new Finding(row, unusable));
        } else if (below) {
          audit.ownBelowTarget.add(new Finding(row, versions));
        }
      } else if (unusable != null || below) {
        audit.foreign.add(new Finding(row, unusable != null ? unusable : versions));
      }
    }
    return audit;
  }

  /**
   * The object versions the target's code accepts as a cap: what the version probe read from the
   * target image, else what the catalog says of the release; empty (not judged) for a series newer
   * than the catalog whose probe is no longer visible.
   */
  private static Optional<Set<String>> knownObjectVersions(PlanContext ctx, String targetRelease) {
    String image = ctx.draft == null ? null : ctx.draft.getToImage();
    ProbedVersions probed = image == null ? null : ctx.obs.probes().get(image);
    if (probed != null && !probed.objectHistory().isEmpty()) {
      return Optional.of(Set.copyOf(probed.objectHistory()));
    }
    return ctx.obs.catalog().knownObjectVersions(targetRelease);
  }

  private static boolean ownedByPod(PlanContext ctx, ServiceRow row) {
    return ctx.pods().stream()
        .anyMatch(
            p ->
                p.component() != null
                    && p.component().label().equals(row.binary().replace("cinder-", ""))
                    && ClusterLayout.hostOf(p).equals(row.host()));
  }

  /**
   * The act that deals with foreign, incompatible and stale rows (in that order), or empty when
   * there are none.
   */
  public Optional<NextAct> resolve(PlanContext ctx) {
    if (!foreign.isEmpty()) {
      String list = list(foreign);
      String commands =
          foreign.stream()
              .map(f -> "cinder-manage service remove " + f.row().binary() + " " + f.row().host())
              .collect(Collectors.joining("; "));
      return Optional.of(
          PlanContext.stall(
              "ForeignServiceRows",
              "services rows not managed by CinderCluster "
                  + ctx.obs.cluster()
                  + " would hold every service pinned below the target: "
                  + list
                  + ". If nothing runs them any more remove them ("
                  + commands
                  + "; it exits 0 even when it fails, so check cinder-manage service list"
                  + " afterwards); if another deployment runs them, upgrade it first.",
              "foreign services rows: " + list));
    }
    if (!ownIncompatible.isEmpty()) {
      String list = list(ownIncompatible);
      return Optional.of(
          PlanContext.stall(
              "IncompatibleServiceRows",
              "services rows of running pods carry versions the target cannot use: "
                  + list
                  + ". Find out what wrote them before upgrading.",
              "incompatible services rows: " + list));
    }
    if (!ownStale.isEmpty()) {
      if (ctx.policy.staleServicesOrDefault() == StaleServicesPolicy.Remove) {
        Finding first = ownStale.get(0);
        return Optional.of(
            new NextAct(
                    new Action.RemoveServiceRow(first.row(), first.problem()),
                    "removing stale services row " + first.describe())
                .with(ctx.inFlight("row " + first.row().binary() + " " + first.row().host())));
      }
      String list = list(ownStale);
      return Optional.of(
          PlanContext.stall(
              "StaleServicesBlock",
              "stale services rows would hold every service pinned to their versions: "
                  + list
                  + ". Remove them (cinder-manage service remove <binary> <host>), or set"
                  + " spec.upgrade.staleServices: Remove to let the operator remove them.",
              "stale services rows: " + list));
    }
    return Optional.empty();
  }

  private static String list(List<Finding> findings) {
    return findings.stream().map(Finding::describe).collect(Collectors.joining(", "));
  }
}
