package dev.cinderoperator.sim.node;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/** Any image the simulation knows nothing about: starts, gets Ready, and jobs exit 0. */
public final class GenericRuntime implements ContainerRuntime {
  @Override
  public void start(Pod pod) {}

  @Override
  public void stop(Pod pod) {}

  @Override
  public boolean ready(Pod pod) {
    return true;
  }

  @Override
  public void signal(Pod pod, String signal) {}

  @Override
  public ExecResult exec(Pod pod, List<String> argv) {
    return new ExecResult(0, "");
  }

  @Override
  public JobResult runJob(Pod pod) {
    return JobResult.success("");
  }
}
