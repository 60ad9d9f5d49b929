"""A test's mock of eventlet.greenthread.sleep never caught the code's
eventlet.sleep, which eventlet binds apart: the code moves to time.sleep
without it, and still waits for real while the mock stays."""
import time
from unittest import mock

from eventlet import greenthread

from pkg import waits


def test_settle():
    with mock.patch.object(greenthread, 'sleep') as fake_sleep:
        started = time.monotonic()
        waits.settle()
        print("the mock saw:", fake_sleep.call_args_list)
        print("settle waited for real:", time.monotonic() - started >= 0.25)


if __name__ == '__main__':
    test_settle()
    print("done")
