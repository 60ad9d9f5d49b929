"""A test's mock of eventlet.sleep, which it reads, catches the sleeps of
the two modules that look sleep up there, and not that of the module
that calls it through eventlet.greenthread: one mock of time, shared by
the first two modules' patches, still counts both, and the third module's
sleep still waits for real."""
import time
import unittest
from unittest import mock

import eventlet

from pkg import crawls
from pkg import naps
from pkg import waits


class NapTest(unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.fake_sleep = mock.patch.object(eventlet, 'sleep').start()
        self.addCleanup(mock.patch.stopall)

    def test_naps(self):
        started = time.monotonic()
        naps.nap()
        waits.settle()
        crawls.crawl()
        print("sleeps the mock saw:", self.fake_sleep.call_args_list)
        print("the crawl waited for real:",
              time.monotonic() - started >= 0.25)


if __name__ == '__main__':
    test = NapTest('test_naps')
    test.setUp()
    test.test_naps()
    test.doCleanups()
    print("done")
