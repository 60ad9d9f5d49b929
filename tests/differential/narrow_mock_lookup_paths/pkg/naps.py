import eventlet


def nap():
    eventlet.sleep(1)
