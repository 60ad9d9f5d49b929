# expect-rewrites: 2
# expect-eventlet-gone: yes
# accept: wider-mock
"""A test double for sleep keeps catching the calls after the rewrite."""
from unittest import mock

import eventlet


def backoff(attempts):
    for n in range(attempts):
        eventlet.sleep(2 ** n)
    return attempts


with mock.patch('eventlet.sleep') as fake_sleep:
    print("attempts", backoff(3))
    print("calls", [c.args for c in fake_sleep.call_args_list])
