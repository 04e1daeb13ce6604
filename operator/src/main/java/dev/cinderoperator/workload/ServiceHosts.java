package dev.cinderoperator.workload;

import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.ServiceRow;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Recognises the services rows a CinderCluster's pods write: each service's host is its pod name
 * ({@link Names#statefulPod}), and a volume service's is {@code <pod>@<backend>}. Volume rows of a
 * backend since removed from the spec still match, so they can be found stale.
 */
public final class ServiceHosts {
  private ServiceHosts() {}

  /** Whether a row was written by a service of the named CinderCluster. */
  public static Predicate<ServiceRow> ownedBy(String cluster) {
    String c = Pattern.quote(cluster);
    Pattern scheduler = Pattern.compile("^" + c + "-scheduler-[0-9]+$");
    Pattern volume =
        Pattern.compile("^" + c + "-volume-(?<b>[a-z0-9]([-a-z0-9]*[a-z0-9])?)-[0-9]+@\\k<b>$");
    Pattern backup = Pattern.compile("^" + c + "-backup-[0-9]+$");
    return row -> {
      if (row.host() == null) {
        return false;
      }
      return CinderBinary.fromBinaryName(row.binary())
          .map(
              b ->
                  switch (b) {
                    case SCHEDULER -> scheduler.matcher(row.host()).matches();
                    case VOLUME -> volume.matcher(row.host()).matches();
                    case BACKUP -> backup.matcher(row.host()).matches();
                  })
          .orElse(false);
    };
  }
}
