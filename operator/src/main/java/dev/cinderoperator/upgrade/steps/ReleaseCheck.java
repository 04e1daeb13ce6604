package dev.cinderoperator.upgrade.steps;

import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.cinder.VersionProbeResult;
import dev.cinderoperator.upgrade.Decision;
import dev.cinderoperator.upgrade.NextAct;
import dev.cinderoperator.upgrade.PlanContext;
import dev.cinderoperator.upgrade.PodGate;
import dev.cinderoperator.upgrade.ProbedVersions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Preflight's check that the probed target image carries spec.release. */
final class ReleaseCheck {
  private ReleaseCheck() {}

  /**
   * Whether the target image carries spec.release. The package version the probe read is the truth:
   * its major names the series by rule (28 is 2026.1, 29 is 2026.2), so a mislabelled image stalls
   * here, before the db sync. The catalog's expected RPC and object versions are only a
   * cross-check: with a package version that agrees, a difference is told (the image's versions are
   * used); without one (a probe that could not read it), a difference stalls as before.
   */
  static Optional<NextAct> mismatch(
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
}
