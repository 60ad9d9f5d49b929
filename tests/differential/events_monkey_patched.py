# expect-rewrites: 7
# expect-manual: eventlet.event.Event
# accept: start-order
"""Events between green threads under monkey_patch(): a flag becomes a
threading.Event (a literal sent that no wait() reads is dropped), events
carrying values and exceptions become Futures, and the spawns whose handles
are dropped start patched threads."""
import eventlet
eventlet.monkey_patch()

from eventlet import event  # noqa: E402


class Job:
    def __init__(self):
        self._done = event.Event()

    def finish(self):
        self._done.send()

    def join(self):
        self._done.wait()
        print("joined, ready:", self._done.ready())


class Stopper:
    def __init__(self):
        self._stopped = event.Event()

    def stop(self):
        self._stopped.send("stopped")

    def wait(self):
        self._stopped.wait()
        print("stopped, ready:", self._stopped.ready())


def value_of(fn):
    box = event.Event()

    def run():
        try:
            box.send(fn())
        except Exception as exc:
            box.send_exception(exc)

    eventlet.spawn(run)
    return box.wait()


job = Job()
eventlet.spawn(job.finish)
job.join()
stopper = Stopper()
eventlet.spawn(stopper.stop)
stopper.wait()
print("value", value_of(lambda: 21 * 2))
try:
    value_of(lambda: 1 / 0)
except ZeroDivisionError as exc:
    print("raised", type(exc).__name__)
plain = eventlet.Event()
eventlet.spawn(plain.send, None)
print("sent None:", plain.wait())
