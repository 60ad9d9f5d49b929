# expect-rewrites: 0
# expect-manual: eventlet.tpool.execute
"""The function looks at its thread: under tpool it runs in a worker, so the
call must stay."""
import threading

from eventlet import tpool


def where():
    return threading.current_thread() is threading.main_thread()


print("in the main thread:", tpool.execute(where))
