"""An RPC server of oslo.messaging, on its in-memory transport, in a
monkey-patched service whose requirements ask for oslo.messaging 12.0.0 or
later: server.py drops executor='eventlet', and oslo.messaging, seeing
thread patched, picks the eventlet executor itself. Calls are served the
same, and the executor is the same one."""
import eventlet
eventlet.monkey_patch()

from oslo_config import cfg  # noqa: E402
import oslo_messaging  # noqa: E402

import server as rpc_server  # noqa: E402


class Calculator:
    def add(self, ctxt, a, b):
        return a + b


def main():
    conf = cfg.CONF
    conf([])
    transport = oslo_messaging.get_rpc_transport(conf, url="fake:/")
    target = oslo_messaging.Target(topic="calc", server="one")
    server = rpc_server.make_server(transport, target, [Calculator()])
    server.start()
    print("executor_type:", server.executor_type)
    client = oslo_messaging.get_rpc_client(transport, target)
    print(client.call({}, "add", a=2, b=3))
    server.stop()
    server.wait()
    # A handle killed at once keeps eventlet (and the patching) in the tree.
    eventlet.spawn(print, "never").kill()
    print("stopped")


main()
