# expect-rewrites: 2
# expect-manual: eventlet.greenthread.spawn
# accept: wider-mock
"""A test mocks eventlet.sleep while a green thread it starts stays green
(its handle is killed): spawning calls no sleep inside eventlet, so the
code's sleep and the mock move to time.sleep together, and the mock still
sees every call."""
from unittest import mock

import eventlet
eventlet.monkey_patch()


def settle():
    eventlet.sleep(10)


calls = []
with mock.patch("eventlet.sleep", side_effect=calls.append):
    worker = eventlet.spawn(settle)
    worker.wait()
    worker.kill()
print("mocked sleeps:", calls)
