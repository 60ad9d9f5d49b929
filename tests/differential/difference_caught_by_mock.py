# expect-rewrites: 1
# expect-eventlet-gone: yes
# accept: caught-by-mock
"""A test mocks time.sleep to skip the code's own time.sleep, and counts
its calls. eventlet's sleep went past that mock to the hub; the time.sleep
that replaces it is caught by the mock too, which then sees one more call
(and the call no longer waits)."""
import time
from unittest import mock

import eventlet


def settle():
    eventlet.sleep(0.01)
    time.sleep(0.02)


with mock.patch.object(time, 'sleep') as fake_sleep:
    settle()
print("[caught-by-mock] calls the mock saw:", fake_sleep.call_args_list)
print("done")
