# expect-rewrites: 3
# expect-eventlet-gone: yes
"""A Timeout around one queue get: firing and not firing."""
import eventlet
from eventlet import queue

jobs = queue.Queue()


def next_job():
    try:
        with eventlet.Timeout(0.05):
            job = jobs.get()
    except eventlet.Timeout:
        job = "timed out"
    return job


print(next_job())
jobs.put("work")
print(next_job())
