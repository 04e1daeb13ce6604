package dev.cinderoperator.sim.informers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A level-triggered loop on one thread, as Kubernetes controllers are: every watch event and every
 * resync tick runs {@link #reconcile()} once (events arriving meanwhile are coalesced), and each
 * run re-reads what it needs from the simulator's shared informer caches ({@link SimCaches}).
 *
 * <p>A run starts no sooner after the previous one than that one took: a loop is busy at most half
 * the time, and a burst of events waits for one run. Each run lists every object of its kinds; at
 * 100 clusters (3,000 pods) the pod-owning loops, woken by every pod event, ran back to back and
 * took more of the 2 cores than the operator and the API server together. A small cluster's run
 * takes microseconds, so its hops are not delayed.
 */
public abstract class ControlLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlLoop.class);

  private final String name;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean queued = new AtomicBoolean();
  private volatile long notBefore = System.nanoTime();
  private final Duration resync;
  private volatile boolean closed;

  // What each object's last successful reconcile saw (loop thread only), and whether this pass
  // must look at everything anyway: after a timer of the simulation and every FULL_PASS_EVERY
  // resyncs, so decisions that hang on time alone are still taken.
  private static final int FULL_PASS_EVERY = 10;
  private final Map<String, String> reconciledOn = new HashMap<>();
  private final AtomicBoolean timerFired = new AtomicBoolean(true);
  private boolean fullPass;
  private long lastFullPass;

  protected ControlLoop(String name, Duration resync) {
    this.name = name;
    this.resync = resync;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sim-" + name);
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts the resync ticks; subclasses register their watches in {@link #watchAll()} first. */
  public final void start() {
    watchAll();
    executor.scheduleWithFixedDelay(
        this::wake, 0, Math.max(1, resync.toMillis()), TimeUnit.MILLISECONDS);
  }

  /** Registers the watches whose events wake the loop. */
  protected abstract void watchAll();

  /** Wakes the loop on every add, update and delete in the shared cache. */
  protected final <T extends HasMetadata> void wakeOn(ObjectCache<T> source) {
    source.addHandler(handler(null));
  }

  private <T> ResourceEventHandler<T> handler(java.util.function.Consumer<T> onDelete) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        wake();
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        wake();
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        if (onDelete != null) {
          onDelete.accept(obj);
        }
        wake();
      }
    };
  }

  /** Runs {@link #reconcile()} soon, unless a run is already queued. */
  public final void wake() {
    if (closed || !queued.compareAndSet(false, true)) {
      return;
    }
    try {
      long wait = notBefore - System.nanoTime();
      if (wait > 0) {
        executor.schedule(this::runOnce, wait, TimeUnit.NANOSECONDS);
      } else {
        executor.execute(this::runOnce);
      }
    } catch (java.util.concurrent.RejectedExecutionException e) {
      queued.set(false);
    }
  }

  /** Runs {@link #reconcile()} after the delay (a timer of the simulation expires). */
  protected final void wakeAfter(Duration delay) {
    if (closed) {
      return;
    }
    try {
      executor.schedule(
          () -> {
            timerFired.set(true);
            wake();
          },
          Math.max(0, delay.toMillis()),
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  private void runOnce() {
    queued.set(false);
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    fullPass =
        timerFired.getAndSet(false) || now - lastFullPass > resync.toNanos() * FULL_PASS_EVERY;
    if (fullPass) {
      lastFullPass = now;
      reconciledOn.clear();
    }
    try {
      reconcile();
    } catch (KubernetesClientException e) {
      // conflicts and races with other writers are normal; the next run sees the new state
      LOG.debug("{}: {}", name, e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("{} failed; retrying on the next tick", name, e);
    } finally {
      long end = System.nanoTime();
      notBefore = end + (end - now);
    }
  }

  /**
   * Whether the object can be left out of this pass: its state (e.g. its own and its pods'
   * resourceVersions) is what its last successful reconcile saw, and this is not a full pass. With
   * thousands of objects, reconciling each on every event made the simulator, not the operator,
   * what a 100-cluster benchmark measured.
   */
  public final boolean unchangedSinceLastPass(String uid, String state) {
    return !fullPass && state.equals(reconciledOn.get(uid));
  }

  /** Records the state an object was reconciled on, after the reconcile succeeded. */
  public final void reconciledOn(String uid, String state) {
    reconciledOn.put(uid, state);
  }

  /** One pass: observe, act, write status. Runs on the loop's only thread. */
  protected abstract void reconcile();

  /** Whether the object is in this loop's scope (the configured namespace, or any). */
  protected static boolean inScope(String namespace, HasMetadata object) {
    return namespace == null || namespace.equals(object.getMetadata().getNamespace());
  }

  /** Stops the loop; the shared caches it reads stay open (the simulator closes them). */
  public void stopLoop() {
    closed = true;
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stopLoop();
  }
}
