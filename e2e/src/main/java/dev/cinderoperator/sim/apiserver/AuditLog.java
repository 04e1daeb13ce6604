package dev.cinderoperator.sim.apiserver;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Every request the simulated API server answered, in the order it answered them, with who sent it,
 * what it answered and whether a fault was injected: the simulation's audit log. Scenarios count
 * from it what only the server knows for sure, e.g. the writes a replica of the operator made after
 * another took its Lease.
 */
public final class AuditLog {

  /**
   * One answered request.
   *
   * @param seq the order in which the server answered
   * @param code the HTTP status sent (for a lost response: what would have been sent)
   * @param fault the fault injected, or null
   * @param applied whether the store changed because of it (a write answered 2xx, including one
   *     whose response the fault then lost)
   */
  public record Entry(
      long seq, Instant at, ApiRequest request, int code, Fault fault, boolean applied) {
    public boolean isWrite() {
      return request.isWrite();
    }
  }

  private final List<Entry> entries = new ArrayList<>();
  private long seq;

  public synchronized Entry record(ApiRequest request, int code, Fault fault) {
    boolean applied =
        request.isWrite() && code / 100 == 2 && (fault == null || fault == Fault.LOST_RESPONSE);
    Entry e = new Entry(++seq, Instant.now(), request, code, fault, applied);
    entries.add(e);
    return e;
  }

  public synchronized List<Entry> entries() {
    return List.copyOf(entries);
  }

  public synchronized List<Entry> entries(Predicate<Entry> filter) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries) {
      if (filter.test(e)) {
        out.add(e);
      }
    }
    return out;
  }

  /** The sequence number of the last answered request (0 before the first). */
  public synchronized long lastSeq() {
    return seq;
  }
}
