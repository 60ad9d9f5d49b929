# expect-rewrites: 2
# expect-eventlet-gone: yes
# accept: wider-mock
"""patch.object on the eventlet module follows the rewrite to time."""
from unittest import mock

from eventlet import greenthread


def pause():
    greenthread.sleep(30)
    return "paused"


with mock.patch.object(greenthread, 'sleep') as fake_sleep:
    print(pause(), fake_sleep.call_args)
