# expect-rewrites: 0
# expect-manual: eventlet.greenthread.sleep
"""A test mocks eventlet.sleep and sees every call to it: the program's own
and those made inside eventlet (tpool's first execute() sets its threads up
and yields with eventlet.sleep(0)). The old tool moved the program's sleep
and the mock to time.sleep together, as if the mock caught only this file's
calls: the library's call was no longer seen."""
import sys
from unittest import mock

import eventlet
eventlet.monkey_patch()

from eventlet import tpool  # noqa: E402

callers = set()


def record(seconds):
    frame = sys._getframe(1)
    while frame.f_globals["__name__"] == "unittest.mock":
        frame = frame.f_back
    callers.add(frame.f_globals["__name__"])


def settle():
    eventlet.sleep(0.01)


with mock.patch("eventlet.sleep", side_effect=record):
    settle()
    print("sum", tpool.execute(sum, [1, 2, 3]))
print("sleep called from", sorted(callers))
