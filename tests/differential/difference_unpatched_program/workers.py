"""Where the program's green threads start."""
import eventlet


def start(function):
    return eventlet.spawn(function)
