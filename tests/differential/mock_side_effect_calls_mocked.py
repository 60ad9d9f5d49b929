# expect-rewrites: 0
# expect-manual: eventlet.greenthread.sleep
"""A test replaces time.sleep with a mock whose side effect yields through
eventlet.sleep(0). The old tool rewrote that call to time.sleep(0), which
is the mock itself while the test runs: each call recursed into the mock
until RecursionError, and the program failed."""
import time
from unittest import mock

import eventlet


def poll(times):
    for _ in range(times):
        time.sleep(5)
    return times


@mock.patch.object(time, "sleep", side_effect=lambda seconds: eventlet.sleep(0))
def test_poll(fake_sleep):
    print("polled", poll(3), "sleeps", fake_sleep.call_count)


test_poll()
