import eventlet


def pong(host):
    if not host:
        raise ValueError("no host")
    return host + "!"


def ping_all(hosts):
    first = eventlet.spawn(pong, hosts[0])
    missing = eventlet.spawn(pong, "")
    try:
        missing.wait()
    except ValueError as error:
        print("raised", error)
    return first.wait()
