"""What a Cinder service does with the messages that reach it while it stops.

Runs in a release's root on that release's own code: Cinder's RPC layer (cinder.rpc, the eventlet
executor its services use) over its oslo.messaging, with the config file given on the command
line. A service is handling a long request (as a volume service creating a volume) when it is
told to stop, and stops as cinder.service.Service does on SIGTERM: its RPC server's stop(), then
wait(), which lets the request in hand finish and closes the connection. Meanwhile a user keeps
casting to the service's queue. Then its successor starts on the same host and queue, as the
replacement pod does. Prints one JSON line: what was sent, what each of them handled.
"""

import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from oslo_config import cfg  # noqa: E402
import oslo_messaging as messaging  # noqa: E402

from cinder.common import config  # noqa: E402,F401  registers Cinder's options
from cinder import context  # noqa: E402
from cinder import rpc  # noqa: E402

TOPIC = 'cinder-stopping-service-test'
HOST = 'cinder-volume-0@test'
SENT_WHILE_STOPPING = 8
IN_HAND_SECONDS = 4.0

handled = {'stopping': [], 'successor': []}


class Endpoint:
    def __init__(self, name):
        self.name = name

    def long_request(self, ctxt, n):
        handled[self.name].append(n)
        eventlet.sleep(IN_HAND_SECONDS)

    def request(self, ctxt, n):
        handled[self.name].append(n)


def server(name):
    s = rpc.get_server(messaging.Target(topic=TOPIC, server=HOST),
                       [Endpoint(name)])
    s.start()
    return s


def main():
    cfg.CONF(sys.argv[1:], project='cinder')
    rpc.init(cfg.CONF)
    ctxt = context.get_admin_context()
    client = rpc.get_client(messaging.Target(topic=TOPIC, server=HOST))

    stopping = server('stopping')
    eventlet.sleep(1)
    client.cast(ctxt, 'long_request', n=0)
    eventlet.sleep(0.5)
    started = time.monotonic()
    stopping.stop()
    sent = []
    for n in range(1, SENT_WHILE_STOPPING + 1):
        client.cast(ctxt, 'request', n=n)
        sent.append(n)
        eventlet.sleep(IN_HAND_SECONDS / (SENT_WHILE_STOPPING + 2))
    stopping.wait()
    stopped_after = time.monotonic() - started

    successor = server('successor')
    deadline = time.monotonic() + 8
    while (time.monotonic() < deadline
           and len(set(handled['stopping'] + handled['successor']))
           < len(sent) + 1):
        eventlet.sleep(0.1)
    eventlet.sleep(1)  # anything handled twice shows up too
    successor.stop()
    successor.wait()
    print(json.dumps({'sent': sent,
                      'handledByStopping': handled['stopping'],
                      'handledBySuccessor': handled['successor'],
                      'stoppedAfterSeconds': round(stopped_after, 2)}))
    sys.stdout.flush()


if __name__ == '__main__':
    main()
