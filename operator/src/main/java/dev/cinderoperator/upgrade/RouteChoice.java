package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.cinder.ReleaseCatalog;

/**
 * Which route an upgrade from the running release to spec.release takes, or why the operator
 * refuses it. The planner stalls with {@link #reason()} and {@link #message()}; the preview says
 * the same refusal in one {@link #sentence()}. Both are written here, side by side, so they cannot
 * drift.
 *
 * @param mode the route's mode; null when refused
 * @param reason the Stalled reason; null unless refused
 * @param message the stall's message: what is wrong and how to fix it
 * @param sentence the preview's one sentence
 */
record RouteChoice(UpgradeMode mode, String reason, String message, String sentence) {

  boolean refused() {
    return reason != null;
  }

  static RouteChoice of(
      ReleaseCatalog catalog, String from, String to, String fromImage, boolean allowSkipLevel) {
    String fromTo = "from " + from + " to " + to;
    return switch (catalog.path(from, to)) {
      case SAME, NEXT -> new RouteChoice(UpgradeMode.Rolling, null, null, null);
      case SKIP_LEVEL ->
          allowSkipLevel
              ? new RouteChoice(UpgradeMode.Offline, null, null, null)
              : refusal(
                  "SkipLevelNotAllowed",
                  fromTo
                      + " skips "
                      + String.join(", ", catalog.between(from, to))
                      + ": a SLURP jump runs offline (every Cinder service is stopped during the"
                      + " db sync). Set spec.upgrade.allowSkipLevel: true to accept the downtime,"
                      + " or upgrade to "
                      + next(catalog, from)
                      + " first.",
                  fromTo
                      + " is a SLURP jump, which runs offline (every Cinder service stopped during"
                      + " the db sync). Set spec.upgrade.allowSkipLevel: true to accept the"
                      + " downtime, or upgrade one release at a time.");
      case DOWNGRADE ->
          refusal(
              "DowngradeRefused",
              "spec.release "
                  + to
                  + " is older than the running release "
                  + from
                  + ": Cinder's database cannot be downgraded. Set spec.release and spec.image"
                  + " back to "
                  + from
                  + " and "
                  + fromImage
                  + "; going back needs the database backup taken before the upgrade to "
                  + from
                  + ".",
              to
                  + " is older than the running release "
                  + from
                  + ", and Cinder's database cannot be downgraded.");
      case UNSUPPORTED_JUMP ->
          refusal(
              "UnsupportedJump",
              fromTo
                  + " skips "
                  + String.join(", ", catalog.between(from, to))
                  + ": Cinder upgrades one release at a time (N to N+1, rolling) or from one SLURP"
                  + " release to the next (offline). Upgrade to "
                  + next(catalog, from)
                  + " first.",
              fromTo
                  + " is more than one release at a time. Cinder upgrades N to N+1, or from one"
                  + " SLURP release to the next; upgrade to "
                  + next(catalog, from)
                  + " first.");
      default -> {
        String unknown = catalog.find(to).isEmpty() ? to : from;
        String notASeries =
            unknown + " is not the name of an OpenStack series (" + catalog.knownNames() + ")";
        yield refusal(
            "UnknownRelease",
            "release " + notASeries + "; set spec.release to the series spec.image carries",
            notASeries + ".");
      }
    };
  }

  private static String next(ReleaseCatalog catalog, String from) {
    return catalog.next(from).orElse("the next release");
  }

  private static RouteChoice refusal(String reason, String message, String sentence) {
    return new RouteChoice(null, reason, message, sentence);
  }
}
