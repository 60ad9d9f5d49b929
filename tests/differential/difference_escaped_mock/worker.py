"""Code that waits for what it started to settle."""
import eventlet


def settle():
    eventlet.sleep(0.3)
