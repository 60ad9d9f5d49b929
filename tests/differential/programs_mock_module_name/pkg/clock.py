"""Not patched by name: its sleep moves to time.sleep."""
import eventlet


def tick():
    eventlet.sleep(0)
    return "tick"
