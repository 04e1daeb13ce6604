package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.validation.ResolvedSecrets;
import java.util.Map;

/** What happens once Cinder is installed: steady state, and upgrades when the spec asks. */
public interface UpgradeHandler {
  /** Whether an upgrade (or a roll for a config change) is pending or under way. */
  boolean isUnderWay(
      CinderCluster cc,
      CinderClusterStatus status,
      ObservedObjects observed,
      Map<String, String> configFiles);

  /** One step of the upgrade; mutates status (upgrade progress) and returns the progress. */
  Progress handle(
      CinderCluster cc,
      ObservedObjects observed,
      CinderClusterStatus status,
      Map<String, String> configFiles,
      ResolvedSecrets secrets);

  /** Steady state after workloads are applied; may refresh status.services. */
  Progress steady(
      CinderCluster cc,
      ObservedObjects observed,
      CinderClusterStatus status,
      Map<String, String> configFiles,
      ResolvedSecrets secrets,
      ClusterDriver.PodReadiness readiness);
}
