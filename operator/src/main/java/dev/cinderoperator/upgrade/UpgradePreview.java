package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.upgrade.steps.PreviewInput;
import dev.cinderoperator.upgrade.steps.Routes;
import java.util.List;
import java.util.Objects;

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
      ReleaseCatalog catalog,
      Routes routes) {
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
    RouteChoice choice =
        RouteChoice.of(
            catalog,
            fromRelease,
            spec.getRelease(),
            fromImage,
            spec.upgradeOrDefault().allowSkipLevelOrDefault());
    if (choice.refused()) {
      return new UpgradePreview(
          "Refused (" + choice.reason() + "): " + choice.sentence(),
          null,
          List.of(),
          choice.reason());
    }
    String to = spec.getImage();
    PreviewInput in = new PreviewInput(cluster, spec, pods, fromRelease, fromImage, to);
    return new UpgradePreview(
        choice.mode()
            + " upgrade from "
            + fromRelease
            + " ("
            + fromImage
            + ") to "
            + spec.getRelease()
            + " ("
            + to
            + ")",
        choice.mode(),
        routes.of(choice.mode()).preview(in));
  }
}
