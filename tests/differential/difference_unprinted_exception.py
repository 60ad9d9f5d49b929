# expect-rewrites: 2
# expect-eventlet-gone: yes
# accept: unprinted-exception, backpressure, start-order, reused-worker, exception-waits, resolver
"""A GreenPool task that raises: eventlet printed its traceback to stderr
as the green thread ended; the executor's Future keeps the exception, and
with no printer after submit, no code reads it and nothing is printed."""
import io
import sys

import eventlet

eventlet.monkey_patch()


def work(value):
    raise ValueError(value)


def run():
    pool = eventlet.GreenPool(2)
    pool.spawn_n(work, 7)
    pool.waitall()


captured = io.StringIO()
stderr, sys.stderr = sys.stderr, captured
try:
    run()
finally:
    sys.stderr = stderr
print("[unprinted-exception] the task's error was printed:",
      "ValueError: 7" in captured.getvalue())
print("done")
