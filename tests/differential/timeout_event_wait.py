# expect-rewrites: 3
# expect-eventlet-gone: yes
"""A Timeout around one wait() of an event used as a flag: not set (the
Timeout fires, the handler runs), then set (the wait returns at once)."""
import eventlet
from eventlet import event


class Worker:
    def __init__(self):
        self._stopped = event.Event()

    def stop(self):
        self._stopped.send()

    def wait_stopped(self):
        try:
            with eventlet.Timeout(0.05):
                self._stopped.wait()
        except eventlet.Timeout:
            return "still running"
        return "stopped"


worker = Worker()
print(worker.wait_stopped())
worker.stop()
print(worker.wait_stopped())
