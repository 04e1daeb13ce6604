package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.validation.ResolvedSecrets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps an installed cluster as the spec says and refuses to start an upgrade: changes of image or
 * release wait, visibly, until an upgrade handler is configured.
 */
public class SteadyStateOnly implements UpgradeHandler {
  private final Duration poll;
  private final Duration idle;

  public SteadyStateOnly(OperatorSettings settings) {
    this.poll = settings.pollInterval();
    this.idle = settings.idlePollInterval();
  }

  @Override
  public boolean isUnderWay(
      CinderCluster cc,
      CinderClusterStatus status,
      ObservedObjects observed,
      Map<String, String> configFiles) {
    return !Objects.equals(cc.getSpec().getImage(), status.getImage())
        || !Objects.equals(cc.getSpec().getRelease(), status.getRelease());
  }

  @Override
  public Progress handle(
      CinderCluster cc,
      ObservedObjects observed,
      CinderClusterStatus status,
      Map<String, String> configFiles,
      ResolvedSecrets secrets) {
    return Progress.stalled(
        "UpgradeUnavailable",
        "spec asks for "
            + cc.getSpec().getRelease()
            + " on "
            + cc.getSpec().getImage()
            + " but this operator runs without an upgrade handler; nothing was changed",
        idle);
  }

  @Override
  public Progress steady(
      CinderCluster cc,
      ObservedObjects observed,
      CinderClusterStatus status,
      Map<String, String> configFiles,
      ResolvedSecrets secrets,
      ClusterDriver.PodReadiness readiness) {
    return readiness.allReady()
        ? Progress.ready("Cinder " + status.getRelease() + ": " + readiness.summary(), idle)
        : Progress.working(Phase.Deploying, "WaitingForPods", readiness.summary(), poll);
  }
}
