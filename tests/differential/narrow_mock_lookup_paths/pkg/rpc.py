"""An RPC server a test imports: its listener, which polls with
time.sleep, could be left running in a test worker. Never imported here."""
import oslo_messaging as messaging


def get_server(transport, target, endpoints):
    return messaging.get_rpc_server(transport, target, endpoints)
