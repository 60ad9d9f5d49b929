# expect-rewrites: 2
# expect-eventlet-gone: yes
# accept: wider-mock
"""A test mocks sleep while a thread it did not start polls with
time.sleep. The mock of eventlet's sleep sees only the code's call; once
moved to time.sleep it sees the poller's calls too, and they no longer
wait."""
import threading
import time
from unittest import mock

import eventlet


def settle():
    eventlet.sleep(1)


def poll(rounds):
    for _ in range(rounds):
        time.sleep(0.01)


poller = threading.Thread(target=poll, args=(3,), name="poller")
with mock.patch('eventlet.sleep') as fake_sleep:
    poller.start()
    settle()
    poller.join()
print("[wider-mock] calls the mock saw:", fake_sleep.call_args_list)
print("done")
