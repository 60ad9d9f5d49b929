# expect-rewrites: 0
# expect-manual: eventlet.greenthread.sleep
"""One sleep is passed as a callback and cannot be rewritten, so the mock of
sleep cannot follow either; the other sleep stays with it, so that the mock
still catches every call."""
from unittest import mock

import eventlet


def pause(then):
    eventlet.sleep(30)
    return then(eventlet.sleep)


with mock.patch('eventlet.sleep') as fake_sleep:
    pause(lambda f: f(1))
    print("calls", fake_sleep.call_count)
