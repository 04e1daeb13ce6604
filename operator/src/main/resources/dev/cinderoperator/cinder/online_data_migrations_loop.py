# Online data migrations in batches, in one container (cinder-operator).
#
# Runs the command in its arguments (cinder-manage db online_data_migrations --max_count N) again
# while it exits 1 and migrated rows: Cinder exits 1 only after a batch that migrated rows, 0 when
# nothing is left, 2 when migrations failed and nothing else moved (facts 5.1). It stops on any
# other exit code, on a traceback (a crash also exits 1) and on an exit 1 whose table shows no row
# migrated, so it never spins. It decides nothing else: it exits with the last run's code and
# reports what happened; what that means for the upgrade is the operator's (cinder.JobOutcome).
#
# Termination message (at most 4096 bytes): one line of JSON, e.g.
#   {"runs": 3, "lastExitCode": 0, "traceback": false, "migrated": 100, "migratedLastRun": 0,
#    "stopped": "complete"}
# with stopped one of complete, exit-code, traceback, exit-1-without-rows, terminated; then the
# tail of the last run's output.
#
# argv: termination log path, then the command.
import json
import re
import signal
import subprocess
import sys

TRACEBACK = 'Traceback (most recent call last)'
# A row of the tool's psql table: | name | Total Needed | Completed |
TABLE_ROW = re.compile(r'^\|\s*\w+\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*$')
LIMIT = 4096

term, argv = sys.argv[1], sys.argv[2:]
report = {'runs': 0, 'lastExitCode': None, 'traceback': False, 'migrated': 0,
          'migratedLastRun': 0, 'stopped': None}
output = ''
child = None


def finish(code):
    line = json.dumps(report, sort_keys=True) + '\n'
    budget = LIMIT - len(line.encode('utf-8'))
    tail = output.encode('utf-8')[-budget:].decode('utf-8', 'ignore') if budget > 0 else ''
    try:
        with open(term, 'w', encoding='utf-8') as f:
            f.write(line + tail)
    except OSError as e:
        print('cannot write %s: %s' % (term, e), file=sys.stderr)
    print(line, end='')
    sys.exit(code)


def terminated(signum, frame):
    # PID 1 has no default handler: without this, SIGTERM waits for the grace period.
    if child is not None and child.poll() is None:
        child.terminate()
    report['stopped'] = 'terminated'
    finish(128 + signum)


signal.signal(signal.SIGTERM, terminated)
while True:
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL)
    raw, _ = child.communicate()
    output = raw.decode('utf-8', 'replace')
    sys.stdout.write(output)
    sys.stdout.flush()
    code = child.returncode
    migrated = sum(int(m.group(2)) for m in map(TABLE_ROW.match, output.splitlines()) if m)
    report['runs'] += 1
    report['lastExitCode'] = code
    report['migratedLastRun'] = migrated
    report['migrated'] += migrated
    if TRACEBACK in output:
        report['traceback'] = True
        report['stopped'] = 'traceback'
    elif code == 0:
        report['stopped'] = 'complete'
    elif code != 1:
        report['stopped'] = 'exit-code'
    elif migrated == 0:
        report['stopped'] = 'exit-1-without-rows'
    if report['stopped']:
        finish(code if code >= 0 else 128 - code)
