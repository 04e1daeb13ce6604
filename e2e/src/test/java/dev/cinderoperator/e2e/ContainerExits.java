package dev.cinderoperator.e2e;

import dev.cinderoperator.realcinder.RealCinderRuntime;
import dev.cinderoperator.threads.DaemonThreads;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * When each container of a real runtime exited, as the machine saw it: every 100 ms the runtime's
 * new containers are looked up and their processes' exits awaited. (The simulated kubelet's events
 * carry the time of its pass, which a real job's wait can hold up.)
 */
final class ContainerExits implements AutoCloseable {
  private final RealCinderRuntime runtime;
  private final Map<RealCinderRuntime.Run, Instant> exits = new ConcurrentHashMap<>();
  private final Map<RealCinderRuntime.Run, Boolean> watched = new ConcurrentHashMap<>();
  private final ScheduledExecutorService poller =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("container-exits"));

  ContainerExits(RealCinderRuntime runtime) {
    this.runtime = runtime;
    poller.scheduleWithFixedDelay(this::watchNew, 0, 100, TimeUnit.MILLISECONDS);
  }

  private void watchNew() {
    for (RealCinderRuntime.Run r : runtime.runs()) {
      if (watched.putIfAbsent(r, true) == null) {
        r.process().onExit().thenRun(() -> exits.put(r, Instant.now()));
      }
    }
  }

  Optional<Instant> exitOf(RealCinderRuntime.Run run) {
    return Optional.ofNullable(exits.get(run));
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
