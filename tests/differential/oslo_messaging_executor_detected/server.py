"""The service's RPC server: executor='eventlet' is dropped."""
import oslo_messaging


def make_server(transport, target, endpoints):
    return oslo_messaging.get_rpc_server(transport, target, endpoints,
                                         executor='eventlet')
