"""The test's mock of eventlet's sleep caught the sleeps of naps and of the
waits module it calls; once it patches naps' own time, the waits module's
sleep really waits."""
import time
from unittest import mock

import eventlet

from pkg import naps


@mock.patch.object(eventlet, 'sleep')
def test_nap(fake_sleep):
    naps.nap()


if __name__ == '__main__':
    started = time.monotonic()
    test_nap()
    print("[narrower-mock] the test waited for real:",
          time.monotonic() - started >= 0.25)
    print("done")
