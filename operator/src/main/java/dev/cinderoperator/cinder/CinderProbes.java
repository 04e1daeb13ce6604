package dev.cinderoperator.cinder;

import java.util.ArrayList;
import java.util.List;

/**
 * Probes of the scheduler, volume and backup containers that read the service's own heartbeat: its
 * row in Cinder's services table, which only {@code report_state} advances ({@code report_count}),
 * and only while the service works (facts: corrections). The program ({@code heartbeat_probe.py}
 * next to this class) runs with the image's Python (every Cinder image has it, procps not) and the
 * database driver Cinder itself uses: PyMySQL directly for the common {@code mysql+pymysql} URL,
 * SQLAlchemy for any other. The database URL is read from the mounted config files, never from the
 * command line, and never printed.
 *
 * <ul>
 *   <li><b>ready</b>: the row's {@code report_count} rose since this container started and its
 *       {@code updated_at} is within {@code service_down_time} of the database's clock. While the
 *       database cannot be reached it keeps its last verdict: an outage is not this pod's fault,
 *       and failing every pod at once would leave no PodDisruptionBudget room for an eviction.
 *   <li><b>live</b>: fails only for a hang that can be told apart: the service heartbeated in this
 *       container, then its count stood still for {@code 3 x service_down_time} (at least 180 s)
 *       while the probe itself reached the database. A service still starting (never heartbeated:
 *       init_host can take long) or a database outage never fails it, so an outage cannot restart
 *       every service.
 * </ul>
 *
 * State between runs is kept in one file per probe under {@code /var/lib/cinder} (the state
 * emptyDir), keyed by PID 1's start time so a restarted container starts afresh. Measured cost per
 * run and the periods chosen from it: docs/cinder-pods.md.
 */
public final class CinderProbes {
  /**
   * Where the probes keep what they saw between runs: {@code <prefix>-ready.json}, {@code -live}.
   */
  public static final String STATE_PREFIX = "/var/lib/cinder/heartbeat-probe";

  static final String PROGRAM = PythonPrograms.load("heartbeat_probe.py");

  private CinderProbes() {}

  /**
   * @param mode {@code ready} or {@code live}
   * @param binary e.g. cinder-volume
   * @param backend the volume backend (host is {@code <pod>@<backend>}); null for other services
   * @param configFiles the files the service reads, in its order (cinder.conf, the backend's,
   *     host.conf)
   */
  public static List<String> command(
      String mode, String binary, String backend, List<String> configFiles) {
    return command(mode, binary, backend, STATE_PREFIX, configFiles);
  }

  /** As above, keeping state in files named {@code statePrefix-<mode>.json} (tests). */
  public static List<String> command(
      String mode, String binary, String backend, String statePrefix, List<String> configFiles) {
    List<String> argv = new ArrayList<>();
    argv.add("python3");
    argv.add("-c");
    argv.add(PROGRAM);
    argv.add(mode);
    argv.add(binary);
    argv.add(backend == null ? "-" : backend);
    argv.add(statePrefix);
    argv.addAll(configFiles);
    return List.copyOf(argv);
  }
}
