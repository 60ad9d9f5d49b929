# expect-rewrites: 5
# expect-manual: eventlet.event.Event
# accept: start-order
"""Events between green threads under monkey_patch(): a flag becomes a
threading.Event, events carrying values and exceptions become Futures, and
the spawns whose handles are dropped start patched threads."""
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
print("value", value_of(lambda: 21 * 2))
try:
    value_of(lambda: 1 / 0)
except ZeroDivisionError as exc:
    print("raised", type(exc).__name__)
plain = eventlet.Event()
eventlet.spawn(plain.send, None)
print("sent None:", plain.wait())
