# expect-rewrites: 1
# expect-eventlet-gone: yes
"""A negative size is unbounded in eventlet, as no size is in the stdlib."""
from eventlet import queue

ranked = queue.PriorityQueue(-1)
for n in (5, 3, 9, 1, 7) * 20:
    ranked.put_nowait(n)
print(ranked.qsize(), ranked.full(), ranked.get_nowait(), ranked.get_nowait())
