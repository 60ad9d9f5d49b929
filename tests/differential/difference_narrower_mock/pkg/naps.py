import eventlet

from pkg import waits


def nap():
    eventlet.sleep(1)
    waits.settle()
