# Readiness and liveness of a Cinder scheduler, volume or backup container (cinder-operator).
#
# Reads the service's own heartbeat: its row in Cinder's services table, whose report_count only
# the service's report_state advances, and only while the service works.
#   ready: report_count rose since this container started and updated_at is within
#          service_down_time of the database's clock.
#   live:  fails only for a hang that can be told apart: the service heartbeated in this container,
#          then its count stood still for 3 x service_down_time (at least 180 s) while this probe
#          reached the database.
# The database cannot be reached: ready keeps its last verdict (an outage must not take every pod
# out of its PodDisruptionBudget at once) and live passes (an outage must not restart every pod).
#
# Runs with what every Cinder image has: its Python, the DB-API driver its connection URL names and
# SQLAlchemy. The URL is read from the config files the service reads, never from the command line,
# and no output line carries it: errors are reported by their type only.
#
# argv: mode (ready|live), binary, volume backend or "-", state file prefix, config files.
import configparser
import datetime
import json
import os
import sys

mode, binary, backend, state_prefix = sys.argv[1:5]
config_files = sys.argv[5:]
host = '-'
ROW_SQL = ('SELECT report_count, updated_at FROM services WHERE host = %s AND `binary` = %s'
           ' AND deleted = 0 ORDER BY id DESC LIMIT 1')


def say(ok, why):
    print(('ok: ' if ok else 'failing: ') + binary + ' ' + host + ': ' + why)
    sys.exit(0 if ok else 1)


def option(cp, section, name, default):
    try:
        return cp.get(section, name)
    except (configparser.Error, KeyError):
        return default


def read_row(url):
    """(database now, (report_count, updated_at) or None, driver used)."""
    from urllib.parse import parse_qsl, unquote, urlsplit
    u = urlsplit(url)
    query = dict(parse_qsl(u.query))
    if u.scheme == 'mysql+pymysql' and set(query) <= {'charset'}:
        # The common URL: PyMySQL alone costs a third of SQLAlchemy's import.
        import pymysql
        conn = pymysql.connect(
            host=u.hostname or 'localhost', port=u.port or 3306,
            user=unquote(u.username or ''), password=unquote(u.password or ''),
            database=unquote(u.path.lstrip('/')), charset=query.get('charset', 'utf8mb4'),
            connect_timeout=3, read_timeout=5, write_timeout=5)
        try:
            with conn.cursor() as cur:
                cur.execute('SELECT UTC_TIMESTAMP()')
                now = cur.fetchone()[0]
                cur.execute(ROW_SQL, (host, binary))
                return now, cur.fetchone(), 'pymysql'
        finally:
            conn.close()
    import sqlalchemy
    import sqlalchemy.pool
    args = {'connect_timeout': 3, 'read_timeout': 5} if u.scheme.startswith('mysql') else {}
    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool, connect_args=args)
    with engine.connect() as c:
        now = c.execute(sqlalchemy.text('SELECT UTC_TIMESTAMP()')).scalar()
        row = c.execute(sqlalchemy.text(ROW_SQL.replace('%s', ':h', 1).replace('%s', ':b', 1)),
                        {'h': host, 'b': binary}).fetchone()
        return now, row, 'sqlalchemy'


def main():
    global host
    cp = configparser.RawConfigParser(strict=False)
    cp.read(config_files)
    host = option(cp, 'DEFAULT', 'host', os.environ.get('POD_NAME', ''))
    if backend != '-':
        host = host + '@' + backend
    down = int(option(cp, 'DEFAULT', 'service_down_time', '60'))

    # One state file per mode (the two probes run at the same time), reset when PID 1 restarted:
    # the emptyDir it lives in outlives the container.
    state_file = state_prefix + '-' + mode + '.json'
    with open('/proc/1/stat') as f:
        start = f.read().rsplit(')', 1)[1].split()[19]
    try:
        with open(state_file) as f:
            state = json.load(f)
    except (OSError, ValueError):
        state = {}
    if state.get('start') != start:
        state = {'start': start}

    def save():
        tmp = state_file + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(state, f)
        os.replace(tmp, state_file)

    try:
        now, row, driver = read_row(option(cp, 'database', 'connection', ''))
    except ImportError:
        raise  # not an outage: the image lacks the driver its URL names
    except Exception as e:
        state['reachable'] = False
        save()
        if mode == 'ready':
            last = state.get('ready', False)
            say(last, 'database unreachable (%s); keeping the last verdict (%s)'
                % (type(e).__name__, 'ready' if last else 'not ready'))
        say(True, 'database unreachable (%s); an outage is not a hang' % type(e).__name__)

    if row is None:
        state.setdefault('first', 0)  # the row is made after this container started
        state['reachable'] = True
        state['ready'] = False
        save()
        say(mode == 'live', 'no services row yet')
    count, updated = int(row[0]), row[1]
    if count < state.setdefault('first', count):
        state['first'] = 0  # the row was removed and made again
    if state.get('count') != count or not state.get('reachable', True):
        state['count'], state['moved'] = count, now.isoformat()
    state['reachable'] = True
    if mode == 'ready':
        fresh = updated is not None and (now - updated).total_seconds() <= down
        state['ready'] = fresh and count > state['first']
        save()
        say(state['ready'], 'report_count %d (%d when the container started), last heartbeat %s,'
            ' database now %s (%s)' % (count, state['first'], updated, now, driver))
    save()
    still = (now - datetime.datetime.fromisoformat(state['moved'])).total_seconds()
    if count > state['first'] and still > max(3 * down, 180):
        say(False, 'report_count stuck at %d for %ds while the database answers' % (count, still))
    say(True, 'report_count %d (%s)' % (count, driver))


try:
    main()
except SystemExit:
    raise
except BaseException as e:
    # Only the type: a message could quote a line of the config files.
    print('failing: ' + binary + ' ' + host + ': probe error ' + type(e).__name__)
    sys.exit(0 if mode == 'live' else 1)
