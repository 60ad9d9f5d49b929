# expect-rewrites: 0
# expect-manual: eventlet.event.Event
# expect-manual: eventlet.timeout.Timeout
# expect-manual: eventlet.greenpool.GreenPool
"""Idioms without transforms yet are reported and left exactly as they are."""
import eventlet
from eventlet import event

done = event.Event()
pool = eventlet.GreenPool(2)


def job(n):
    eventlet.sleep(0.01 * n)
    return n * 2


print(list(pool.imap(job, [3, 1, 2])))
pool.spawn_n(done.send, "sent")
print("event", done.wait())
try:
    with eventlet.Timeout(0.01):
        eventlet.sleep(1)
except eventlet.Timeout:
    print("timed out")
