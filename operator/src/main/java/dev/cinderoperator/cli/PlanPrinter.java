package dev.cinderoperator.cli;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.cinder.ReleaseCatalog;

/** Text of the plan CLI. */
final class PlanPrinter {
  private PlanPrinter() {}

  static String print(CinderCluster cc, String from, ReleaseCatalog catalog) {
    String to = cc.getSpec().getRelease();
    if (from == null) {
      return "first install of "
          + to
          + ": db sync on "
          + cc.getSpec().getImage()
          + ", then every service";
    }
    return from + " -> " + to + ": " + catalog.path(from, to);
  }
}
