# expect-rewrites: 1
# expect-manual: eventlet.queue.LightQueue
"""A queue's get() with a computed timeout that has run out: eventlet
raised Empty at once, the stdlib's raises ValueError for a negative
timeout, so that queue stays; one whose timeout is a constant moves."""
import time

from eventlet import queue

POLL = 0.01
jobs = queue.LightQueue()
results = queue.LightQueue()

try:
    jobs.get(timeout=POLL)
except Exception as error:
    print("jobs:", type(error).__name__)

deadline = time.monotonic() - 1
try:
    results.get(True, deadline - time.monotonic())
except Exception as error:
    print("results:", type(error).__name__)
