import eventlet


def settle():
    eventlet.sleep(2)
