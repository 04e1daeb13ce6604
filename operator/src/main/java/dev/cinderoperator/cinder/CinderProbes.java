package dev.cinderoperator.cinder;

import java.util.ArrayList;
import java.util.List;

/**
 * Probes of the scheduler, volume and backup containers that read the service's own heartbeat: its
 * row in Cinder's services table, which only {@code report_state} advances ({@code report_count}),
 * and only while the service works (facts: corrections). They run the image's Python (every Cinder
 * image has it, procps not) with SQLAlchemy, which Cinder itself needs; the database URL is read
 * from the mounted config files, never from the command line.
 *
 * <ul>
 *   <li><b>ready</b>: the row's {@code report_count} rose since this container started and its
 *       {@code updated_at} is within {@code service_down_time} of the database's clock. Not ready
 *       while the database cannot be reached (the service cannot work either).
 *   <li><b>live</b>: fails only for a hang that can be told apart: the service heartbeated in this
 *       container, then its count stood still for {@code 3 x service_down_time} (at least 180 s)
 *       while the probe itself reached the database. A service still starting (never heartbeated:
 *       init_host can take long) or a database outage never fails it, so an outage cannot restart
 *       every service.
 * </ul>
 *
 * State between runs (the count first seen, when it last moved) is kept in a file under {@code
 * /var/lib/cinder}, keyed by PID 1's start time so a restarted container starts afresh.
 */
public final class CinderProbes {
  /** Where the probes keep what they saw between runs (the state emptyDir). */
  public static final String STATE_FILE = "/var/lib/cinder/heartbeat-probe.json";

  static final String PROGRAM =
      String.join(
          "\n",
          "import configparser, datetime, json, os, sys",
          "mode, binary, backend, state_file = sys.argv[1:5]",
          "cp = configparser.RawConfigParser(strict=False)",
          "cp.read(sys.argv[5:])",
          "def opt(section, name, default):",
          "    try:",
          "        return cp.get(section, name)",
          "    except (configparser.Error, KeyError):",
          "        return default",
          "host = opt('DEFAULT', 'host', os.environ.get('POD_NAME', ''))",
          "if backend != '-':",
          "    host = host + '@' + backend",
          "down = int(opt('DEFAULT', 'service_down_time', '60'))",
          "with open('/proc/1/stat') as f:",
          "    start = f.read().rsplit(')', 1)[1].split()[19]",
          "try:",
          "    with open(state_file) as f:",
          "        state = json.load(f)",
          "except (OSError, ValueError):",
          "    state = {}",
          "if state.get('start') != start:",
          "    state = {'start': start}",
          "def save():",
          "    tmp = state_file + '.' + mode",
          "    with open(tmp, 'w') as f:",
          "        json.dump(state, f)",
          "    os.replace(tmp, state_file)",
          "def done(ok, why):",
          "    save()",
          "    print(('ok: ' if ok else 'failing: ') + binary + ' ' + host + ': ' + why)",
          "    sys.exit(0 if ok else 1)",
          "try:",
          "    import sqlalchemy",
          "    url = opt('database', 'connection', '')",
          "    args = {'connect_timeout': 3} if url.startswith('mysql') else {}",
          "    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool,"
              + " connect_args=args)",
          "    with engine.connect() as c:",
          "        now = c.execute(sqlalchemy.text('SELECT UTC_TIMESTAMP()')).scalar()",
          "        row = c.execute(sqlalchemy.text('SELECT report_count, updated_at FROM services"
              + " WHERE host = :h AND `binary` = :b AND deleted = 0 ORDER BY id DESC LIMIT 1'),"
              + " {'h': host, 'b': binary}).fetchone()",
          "except Exception as e:",
          "    state['reachable'] = False",
          "    done(mode == 'live', 'database unreachable (%s)' % type(e).__name__)",
          "if row is None:",
          "    done(mode == 'live', 'no services row yet')",
          "count, updated = int(row[0]), row[1]",
          "if 'first' not in state:",
          "    state['first'] = count",
          "if state.get('count') != count or not state.get('reachable', True):",
          "    state['count'], state['moved'] = count, now.isoformat()",
          "state['reachable'] = True",
          "if mode == 'ready':",
          "    fresh = updated is not None and (now - updated).total_seconds() <= down",
          "    beat = count > state['first']",
          "    done(fresh and beat, 'report_count %d (%d at container start), last heartbeat %s,"
              + " database now %s' % (count, state['first'], updated, now))",
          "still = (now - datetime.datetime.fromisoformat(state['moved'])).total_seconds()",
          "if count > state['first'] and still > max(3 * down, 180):",
          "    done(False, 'report_count stuck at %d for %ds while the database answers' % (count,"
              + " still))",
          "done(True, 'report_count %d' % count)",
          "");

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
    return command(mode, binary, backend, STATE_FILE, configFiles);
  }

  /** As above, keeping state in {@code stateFile} (tests). */
  public static List<String> command(
      String mode, String binary, String backend, String stateFile, List<String> configFiles) {
    List<String> argv = new ArrayList<>();
    argv.add("python3");
    argv.add("-c");
    argv.add(PROGRAM);
    argv.add(mode);
    argv.add(binary);
    argv.add(backend == null ? "-" : backend);
    argv.add(stateFile);
    argv.addAll(configFiles);
    return List.copyOf(argv);
  }
}
