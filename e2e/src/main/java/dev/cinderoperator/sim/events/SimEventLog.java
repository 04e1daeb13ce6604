package dev.cinderoperator.sim.events;

import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import dev.cinderoperator.sim.events.SimEvent.ServiceRowEvent;
import dev.cinderoperator.sim.events.SimEvent.SignalEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every pod's lifetime, every services row change, every signal and every job run, in the order
 * they happened. Listeners (the invariant checker, the demo's progress view) see each event once,
 * in that order.
 */
public final class SimEventLog {
  private static final Logger LOG = LoggerFactory.getLogger(SimEventLog.class);

  private final List<SimEvent> events = new ArrayList<>();
  private final List<Consumer<SimEvent>> listeners = new CopyOnWriteArrayList<>();

  /** Appends the event and hands it to every listener before the next event is recorded. */
  public synchronized void record(SimEvent event) {
    events.add(event);
    for (Consumer<SimEvent> listener : listeners) {
      try {
        listener.accept(event);
      } catch (RuntimeException e) {
        LOG.warn("event listener failed on {}", event, e);
      }
    }
  }

  public void addListener(Consumer<SimEvent> listener) {
    listeners.add(listener);
  }

  public void removeListener(Consumer<SimEvent> listener) {
    listeners.remove(listener);
  }

  public synchronized List<SimEvent> all() {
    return List.copyOf(events);
  }

  public <T extends SimEvent> List<T> of(Class<T> type) {
    return of(type, e -> true);
  }

  public synchronized <T extends SimEvent> List<T> of(Class<T> type, Predicate<? super T> filter) {
    List<T> result = new ArrayList<>();
    for (SimEvent e : events) {
      if (type.isInstance(e) && filter.test(type.cast(e))) {
        result.add(type.cast(e));
      }
    }
    return result;
  }

  public List<PodEvent> pods() {
    return of(PodEvent.class);
  }

  public List<PodEvent> pod(String namespace, String name) {
    return of(PodEvent.class, e -> e.namespace().equals(namespace) && e.pod().equals(name));
  }

  /** Row changes without the heartbeats. */
  public List<ServiceRowEvent> rowChanges() {
    return of(ServiceRowEvent.class, e -> e.change() != ServiceRowEvent.Change.HEARTBEAT);
  }

  public List<ServiceRowEvent> rows() {
    return of(ServiceRowEvent.class);
  }

  public List<SignalEvent> signals() {
    return of(SignalEvent.class);
  }

  public List<JobRunEvent> jobRuns() {
    return of(JobRunEvent.class);
  }

  public synchronized void clear() {
    events.clear();
  }
}
