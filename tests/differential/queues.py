# expect-rewrites: 7
# expect-eventlet-gone: yes
"""Queue kinds, sizes, and the Empty/Full exceptions."""
import eventlet
from eventlet import queue
from eventlet.queue import Empty

fifo = eventlet.Queue()
for i in range(3):
    fifo.put(i)
print("fifo", [fifo.get() for _ in range(3)], fifo.empty(), fifo.qsize())

lifo = queue.LifoQueue(maxsize=3)
for i in range(3):
    lifo.put_nowait(i)
print("lifo full", lifo.full())
try:
    lifo.put_nowait(9)
except queue.Full:
    print("Full raised")
print("lifo", [lifo.get_nowait() for _ in range(3)])

prio = queue.PriorityQueue(None)
for item in [(3, "c"), (1, "a"), (2, "b")]:
    prio.put(item)
print("prio", [prio.get()[1] for _ in range(3)])

light = queue.LightQueue(2)
light.put("x")
print("light", light.get(timeout=0.01))
try:
    light.get(timeout=0.01)
except Empty:
    print("Empty after timeout")
try:
    light.get_nowait()
except queue.Empty:
    print("Empty now")
