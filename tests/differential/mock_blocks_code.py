# expect-rewrites: 0
# expect-manual: eventlet.greenthread.sleep
"""The test mocks sleep through patch.object, which cannot follow: the code
keeps eventlet.sleep so that the mock still catches it."""
from unittest import mock

import eventlet


def pause():
    eventlet.sleep(30)
    return "paused"


with mock.patch.object(eventlet, 'sleep') as fake_sleep:
    print(pause(), fake_sleep.call_count)
