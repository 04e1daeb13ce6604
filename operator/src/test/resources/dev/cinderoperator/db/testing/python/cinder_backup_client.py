"""A user of real Cinder's backups, through Cinder's own API classes with an admin context (what
cinder-api runs for a request). Reads commands on stdin, one per line, answers one JSON line each:

  volumes N            -> {"ids": [...]}         creates N 1 GiB volumes, waits until available
  backup VOLUME_ID     -> {"id": ...}            requests a backup
  show ID...           -> {"ID": {"host", "status", "fail_reason"}, ...}
  volume ID...         -> {"ID": status, ...}
  restore BACKUP VOL   -> {"ok": true} or {"error": "..."}
  delete BACKUP        -> {"ok": true} or {"error": "..."}
  report HOST WORKING  -> {"ok": true}           a backup capability report, as the service sends it

Usage: python3 cinder_backup_client.py CINDER_CONF
"""
import json
import sys
import time
import warnings

warnings.simplefilter('ignore')

from oslo_config import cfg  # noqa: E402

from cinder import context, objects, rpc  # noqa: E402
from cinder.common import config  # noqa: E402,F401

CONF = cfg.CONF
CONF([], project='cinder', default_config_files=[sys.argv[1]])
objects.register_all()
rpc.init(CONF)

from cinder.backup import api as backup_api  # noqa: E402
from cinder.scheduler import rpcapi as scheduler_rpcapi  # noqa: E402
from cinder.volume import api as volume_api  # noqa: E402

ctx = context.get_admin_context()
ctx.project_id = 'p1'
ctx.user_id = 'u1'


def volumes(n):
    ids = [volume_api.API().create(ctx, 1, 'v', '').id for _ in range(int(n))]
    deadline = time.time() + 300
    while time.time() < deadline:
        st = [objects.Volume.get_by_id(ctx, i).status for i in ids]
        if all(s == 'available' for s in st):
            return {'ids': ids}
        time.sleep(0.5)
    return {'error': 'volumes not available: %s' % st}


def show(*ids):
    out = {}
    for i in ids:
        b = objects.Backup.get_by_id(ctx, i, read_deleted='yes')
        out[i] = {'host': b.host, 'status': b.status, 'fail_reason': b.fail_reason}
    return out


def call(fn):
    try:
        fn()
        return {'ok': True}
    except Exception as e:  # Cinder's refusal is the answer
        return {'error': '%s: %s' % (type(e).__name__, e)}


COMMANDS = {
    'volumes': volumes,
    'backup': lambda v: {'id': backup_api.API().create(ctx, 'b', '', v, 'c', force=True).id},
    'show': show,
    'volume': lambda *ids: {i: objects.Volume.get_by_id(ctx, i).status for i in ids},
    'restore': lambda b, v: call(lambda: backup_api.API().restore(ctx, b, v)),
    'delete': lambda b: call(lambda: backup_api.API().delete(
        ctx, objects.Backup.get_by_id(ctx, b))),
    'report': lambda host, working: call(
        lambda: scheduler_rpcapi.SchedulerAPI().update_service_capabilities(
            ctx, 'backup', host, {'backend_state': working == 'true',
                                  'driver_name': CONF.backup_driver
                                  if 'backup_driver' in CONF else '',
                                  'availability_zone': 'nova'}, None)),
}

print(json.dumps({'ready': True}), flush=True)
for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    try:
        answer = COMMANDS[words[0]](*words[1:])
    except Exception as e:
        answer = {'error': '%s: %s' % (type(e).__name__, e)}
    print(json.dumps(answer), flush=True)
