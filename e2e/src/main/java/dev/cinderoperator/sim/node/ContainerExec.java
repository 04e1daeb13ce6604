package dev.cinderoperator.sim.node;

import static dev.cinderoperator.sim.node.PodFacts.cluster;

import dev.cinderoperator.kube.PodSignaller;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.events.SimEvent.SignalEvent;
import dev.cinderoperator.sim.events.SimEventLog;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * {@code kubectl exec} into a running pod's main container: commands and signals go to its runtime,
 * and every signal to PID 1 is recorded as a {@link SignalEvent}, delivered or not.
 */
final class ContainerExec {
  private final SimConfig config;
  private final SimEventLog recorder;
  private final PodBehaviour behaviour;
  private final BiFunction<String, String, PodLife> running;

  ContainerExec(
      SimConfig config,
      SimEventLog recorder,
      PodBehaviour behaviour,
      BiFunction<String, String, PodLife> running) {
    this.config = config;
    this.recorder = recorder;
    this.behaviour = behaviour;
    this.running = running;
  }

  /**
   * Delivers a signal to PID 1 of the pod's main container, as {@code kubectl exec <pod> -- kill
   * -HUP 1} does.
   *
   * @throws PodSignaller.SignalFailedException when the pod has no running container
   */
  void signal(String namespace, String pod, String signal) {
    PodLife life = running.apply(namespace, pod);
    if (life == null) {
      recorder.record(
          new SignalEvent(config.clock().instant(), namespace, null, pod, signal, false));
      throw new PodSignaller.SignalFailedException(
          "pod " + namespace + "/" + pod + " has no running container to signal", null);
    }
    try {
      behaviour.runtimeFor(life.pod).signal(life.pod, signal);
    } catch (RuntimeException e) {
      recorder.record(
          new SignalEvent(
              config.clock().instant(), namespace, cluster(life.pod), pod, signal, false));
      throw new PodSignaller.SignalFailedException(
          "signal " + signal + " to pod " + namespace + "/" + pod + " failed: " + e.getMessage(),
          e);
    }
    recorder.record(
        new SignalEvent(config.clock().instant(), namespace, cluster(life.pod), pod, signal, true));
  }

  /**
   * Runs a command in a running pod's main container, as {@code kubectl exec} does; a command that
   * signals PID 1 ({@link SignalCommand}) is recorded as a {@link SignalEvent}, delivered when it
   * exited 0.
   *
   * @throws IllegalStateException when the pod has no running container
   */
  ContainerRuntime.ExecResult exec(String namespace, String pod, List<String> argv) {
    Optional<SignalCommand> signal = SignalCommand.parse(argv);
    PodLife life = running.apply(namespace, pod);
    if (life == null) {
      signal.ifPresent(
          s ->
              recorder.record(
                  new SignalEvent(
                      config.clock().instant(), namespace, null, pod, s.signal(), false)));
      throw new IllegalStateException(
          "pod " + namespace + "/" + pod + " has no running container to exec in");
    }
    ContainerRuntime.ExecResult result;
    try {
      result = behaviour.runtimeFor(life.pod).exec(life.pod, List.copyOf(argv));
    } catch (RuntimeException e) {
      result = new ContainerRuntime.ExecResult(126, e.getMessage());
    }
    ContainerRuntime.ExecResult r = result;
    signal.ifPresent(
        s ->
            recorder.record(
                new SignalEvent(
                    config.clock().instant(),
                    namespace,
                    cluster(life.pod),
                    pod,
                    s.signal(),
                    r.exitCode() == 0)));
    return result;
  }
}
