package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.UpgradeStep;
import java.util.List;

/**
 * One step of a previewed upgrade: what it does, and the jobs and pods it would touch, in order.
 */
public record PlannedStep(
    UpgradeStep step, String description, List<String> jobs, List<String> pods) {
  public PlannedStep {
    jobs = List.copyOf(jobs);
    pods = List.copyOf(pods);
  }
}
