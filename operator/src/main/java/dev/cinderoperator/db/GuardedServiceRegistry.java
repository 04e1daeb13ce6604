package dev.cinderoperator.db;

import dev.cinderoperator.cinder.FailedBackups;
import dev.cinderoperator.cinder.NullUseQuotaRows;
import dev.cinderoperator.cinder.ServiceRow;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps a registry with a short retry for blips inside one reconcile and a circuit breaker across
 * reconciles: after a few calls failed (each after its retries), calls fail fast with {@link
 * DatabaseUnavailableException} until the wait is over, then one trial call decides.
 */
public final class GuardedServiceRegistry implements ServiceRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(GuardedServiceRegistry.class);

  /** The breaker's state, for metrics and status messages. */
  public enum CircuitState {
    CLOSED,
    OPEN,
    HALF_OPEN,
    /** Resilience4j's DISABLED, FORCED_OPEN and METRICS_ONLY, which this class never uses. */
    OTHER
  }

  /**
   * @param attempts tries per call, the first included
   * @param retryWait the pause between tries
   * @param failuresToOpen failed calls in a row (each after its retries) that open the circuit
   * @param openWait how long the circuit stays open before one trial call
   * @param clock the breaker's clock
   */
  public record Settings(
      int attempts, Duration retryWait, int failuresToOpen, Duration openWait, Clock clock) {
    public Settings {
      if (attempts < 1 || failuresToOpen < 1) {
        throw new IllegalArgumentException("attempts and failuresToOpen must be at least 1");
      }
      if (retryWait.toMillis() < 1) {
        throw new IllegalArgumentException("retryWait must be at least 1 ms");
      }
    }

    /** 3 tries 200 ms apart; open after 3 failed calls in a row; a trial call after 30 s. */
    public static Settings defaults() {
      return new Settings(3, Duration.ofMillis(200), 3, Duration.ofSeconds(30), Clock.systemUTC());
    }
  }

  private final ServiceRegistry delegate;
  private final Retry retry;
  private final CircuitBreaker breaker;

  public GuardedServiceRegistry(ServiceRegistry delegate) {
    this(delegate, Settings.defaults());
  }

  public GuardedServiceRegistry(ServiceRegistry delegate, Settings settings) {
    this.delegate = delegate;
    this.retry =
        Retry.of(
            "cinder-db",
            RetryConfig.custom()
                .maxAttempts(settings.attempts())
                .intervalFunction(IntervalFunction.of(settings.retryWait()))
                .retryExceptions(DatabaseUnavailableException.class)
                .failAfterMaxAttempts(false)
                .build());
    int failures = settings.failuresToOpen();
    this.breaker =
        CircuitBreaker.of(
            "cinder-db",
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(failures)
                .minimumNumberOfCalls(failures)
                .failureRateThreshold(100f)
                .waitDurationInOpenState(settings.openWait())
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordExceptions(DatabaseUnavailableException.class)
                .clock(settings.clock())
                .build());
    breaker
        .getEventPublisher()
        .onStateTransition(
            e ->
                LOG.warn(
                    "Cinder database circuit {} -> {}",
                    e.getStateTransition().getFromState(),
                    e.getStateTransition().getToState()));
  }

  public CircuitState circuitState() {
    return switch (breaker.getState()) {
      case CLOSED -> CircuitState.CLOSED;
      case OPEN -> CircuitState.OPEN;
      case HALF_OPEN -> CircuitState.HALF_OPEN;
      default -> CircuitState.OTHER;
    };
  }

  @Override
  public ServicesSnapshot read() {
    return guarded(delegate::read);
  }

  @Override
  public boolean remove(ServiceRow row) {
    return guarded(() -> delegate.remove(row));
  }

  @Override
  public void stopNewBackups(String host) {
    guarded(
        () -> {
          delegate.stopNewBackups(host);
          return null;
        });
  }

  @Override
  public void allowNewBackups(String host) {
    guarded(
        () -> {
          delegate.allowNewBackups(host);
          return null;
        });
  }

  @Override
  public int inFlightBackups(String host) {
    return guarded(() -> delegate.inFlightBackups(host));
  }

  @Override
  public NullUseQuotaRows nullUseQuota() {
    return guarded(delegate::nullUseQuota);
  }

  @Override
  public Map<String, Integer> inFlightBackupsByHost() {
    return guarded(delegate::inFlightBackupsByHost);
  }

  @Override
  public FailedBackups failedBackupsSince(Instant since, int limit) {
    return guarded(() -> delegate.failedBackupsSince(since, limit));
  }

  @Override
  public void close() {
    delegate.close();
  }

  private <T> T guarded(Supplier<T> call) {
    try {
      return breaker.executeSupplier(Retry.decorateSupplier(retry, call));
    } catch (CallNotPermittedException e) {
      throw new DatabaseUnavailableException(
          "the Cinder database failed repeatedly; circuit open, not trying again yet");
    }
  }
}
