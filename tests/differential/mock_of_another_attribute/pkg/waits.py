import eventlet


def settle():
    eventlet.sleep(0.3)
