# expect-rewrites: 3
# expect-eventlet-gone: yes
"""Objects kept in lists, made by a comprehension or append() and used
through loops over the list, are followed like objects kept in a name."""
from eventlet import event
from eventlet import queue

flags = [event.Event() for _ in range(3)]
flags.append(event.Event())
for flag in flags:
    flag.send()
print([flag.ready() for flag in flags])

boxes = []
for n in range(3):
    boxes.append(queue.Queue())
for box in boxes:
    box.put(7)
print(sum(box.get() for box in boxes), [box.qsize() for box in boxes])
