# expect-rewrites: 3
# expect-eventlet-gone: yes
"""A Timeout around one put into a full queue, and into one with room."""
import eventlet
from eventlet import queue

results = queue.Queue(1)


def publish(item):
    try:
        with eventlet.Timeout(0.05):
            results.put(item)
    except eventlet.Timeout:
        return "full"
    return "stored"


print(publish("a"), publish("b"), results.get(), publish("c"))
