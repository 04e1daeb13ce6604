package dev.cinderoperator.sim.cinder;

import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.cinder.ServiceRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;

/**
 * One simulated Cinder process (a service or cinder-api) running in a pod: its release, its
 * services row and the version pins it cached. Read-only to tests; the runtime changes it.
 */
public final class CinderProcess {
  private final String namespace;
  private final String pod;
  private final String uid;
  private final String cluster;
  private final String component;
  private final CinderBinary binary;
  private final String host;
  private final String clusterName;
  private final Release release;
  private final Instant startedAt;
  private final boolean working;
  private final Map<CinderBinary, CachedPin> pins = new EnumMap<>(CinderBinary.class);
  private final List<String> log = new ArrayList<>();
  private int sighups;
  private boolean running = true;
  private ServiceRow row;
  private ScheduledFuture<?> heartbeat;

  public CinderProcess(
      String namespace,
      String pod,
      String uid,
      String cluster,
      String component,
      CinderBinary binary,
      String host,
      String clusterName,
      Release release,
      Instant startedAt,
      boolean working) {
    this.namespace = namespace;
    this.pod = pod;
    this.uid = uid;
    this.cluster = cluster;
    this.component = component;
    this.binary = binary;
    this.host = host;
    this.clusterName = clusterName;
    this.release = release;
    this.startedAt = startedAt;
    this.working = working;
  }

  public String namespace() {
    return namespace;
  }

  public String pod() {
    return pod;
  }

  public String uid() {
    return uid;
  }

  public String cluster() {
    return cluster;
  }

  /** {@code app.kubernetes.io/component}: api, scheduler, volume or backup. */
  public String component() {
    return component;
  }

  /** The services-table binary; empty for cinder-api, which writes no row. */
  public Optional<CinderBinary> binary() {
    return Optional.ofNullable(binary);
  }

  /** The services row's host ({@code <pod>} or {@code <pod>@<backend>}); null for cinder-api. */
  public String host() {
    return host;
  }

  /** The row's cluster_name ({@code <cluster>@<backend>} on an active/active backend), or null. */
  public String clusterName() {
    return clusterName;
  }

  public Release release() {
    return release;
  }

  public Instant startedAt() {
    return startedAt;
  }

  /** Whether its manager works ({@code is_working()}); only then does it heartbeat. */
  public boolean working() {
    return working;
  }

  /** The caps the process's RPC clients use now, per target binary. */
  public synchronized Map<CinderBinary, CachedPin> pins() {
    return Map.copyOf(pins);
  }

  public synchronized int sighups() {
    return sighups;
  }

  public synchronized boolean running() {
    return running;
  }

  /** What the process logged about pins and signals, e.g. "Resetting cached RPC version pins." */
  public synchronized List<String> log() {
    return List.copyOf(log);
  }

  /** The services row it last wrote, or null. */
  public synchronized ServiceRow row() {
    return row;
  }

  public synchronized void pin(CinderBinary target, CachedPin pin) {
    pins.put(target, pin);
  }

  synchronized void log(String line) {
    log.add(line);
  }

  synchronized void sighup() {
    sighups++;
  }

  synchronized void row(ServiceRow value) {
    row = value;
  }

  synchronized void heartbeat(ScheduledFuture<?> value) {
    heartbeat = value;
  }

  synchronized void stop() {
    running = false;
    if (heartbeat != null) {
      heartbeat.cancel(false);
    }
  }

  @Override
  public synchronized String toString() {
    return pod + " (" + component + ", " + release.name() + ", pins " + pins + ")";
  }
}
