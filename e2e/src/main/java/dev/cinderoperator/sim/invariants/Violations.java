package dev.cinderoperator.sim.invariants;

import dev.cinderoperator.sim.events.SimEvent;
import dev.cinderoperator.sim.invariants.InvariantChecker.Invariant;
import dev.cinderoperator.sim.invariants.InvariantChecker.Violation;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The broken rules so far, each stamped with the event that broke it. */
final class Violations {
  private final List<Violation> all = new CopyOnWriteArrayList<>();

  void add(SimEvent e, Invariant invariant, String message) {
    all.add(new Violation(e.at(), invariant, e.namespace(), e.cluster(), message));
  }

  List<Violation> all() {
    return List.copyOf(all);
  }

  List<Violation> of(Invariant invariant) {
    return all.stream().filter(v -> v.invariant() == invariant).toList();
  }

  void clear() {
    all.clear();
  }
}
