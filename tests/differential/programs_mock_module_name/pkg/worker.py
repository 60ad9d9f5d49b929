"""Its test replaces the whole `eventlet` this module sees: every use of
that name stays, for the fake to catch."""
import eventlet


def work():
    eventlet.sleep(5)
    return eventlet.sleep(1) or "worked"
