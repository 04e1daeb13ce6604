# cinder-status upgrade check, run again while its only failure is "Service UUIDs" (cinder-operator).
#
# That check fails while any volume has no service_uuid, and every volume has none between the
# API's create and a volume service taking it: under users' traffic the check fails now and then
# (seen with Debian's 2026.2 checking a 2026.1 database that users were writing). Such a volume
# gets its service_uuid within seconds; one that never does (in error after scheduling failed)
# is a real finding. So the check runs again, up to ATTEMPTS times PAUSE seconds apart, while
# "Service UUIDs" is its only failure. The last run's output and exit code are the job's.
#
# argv: the cinder-status command. CINDER_OPERATOR_CHECK_PAUSE overrides PAUSE (tests).
import json
import os
import subprocess
import sys
import time

ATTEMPTS = 6
PAUSE = int(os.environ.get('CINDER_OPERATOR_CHECK_PAUSE', '10'))


def failing_checks(output):
    """The names of the checks that failed (result 2), from the --json line; None if none."""
    for line in output.splitlines():
        line = line.strip()
        if line.startswith('{') and '"checks"' in line:
            try:
                return {c['check'] for c in json.loads(line)['checks'] if c.get('result') == 2}
            except (ValueError, KeyError, TypeError):
                return None
    return None


for attempt in range(1, ATTEMPTS + 1):
    run = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL)
    output = run.stdout.decode('utf-8', 'replace')
    racy = run.returncode == 2 and failing_checks(output) == {'Service UUIDs'}
    if not racy or attempt == ATTEMPTS:
        sys.stdout.write(output)
        sys.exit(run.returncode)
    print('cinder-operator: only "Service UUIDs" failed (a volume not on a service yet?);'
          ' checking again in %ds (%d of %d)' % (PAUSE, attempt + 1, ATTEMPTS), flush=True)
    time.sleep(PAUSE)
