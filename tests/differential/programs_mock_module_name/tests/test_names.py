"""Tests that replace a module's own names for eventlet."""
import unittest
from unittest import mock

from pkg import clock
from pkg import poller
from pkg import worker


class NamesTest(unittest.TestCase):
    @mock.patch('pkg.poller.sleep')
    def test_1_poll(self, fake_sleep):
        print(poller.poll(), fake_sleep.call_args)

    def test_2_work(self):
        with mock.patch('pkg.worker.eventlet') as fake_eventlet:
            fake_eventlet.sleep.return_value = None
            print(worker.work(), fake_eventlet.sleep.call_args_list)

    def test_3_work_through_the_module_object(self):
        with mock.patch.object(worker, 'eventlet') as fake_eventlet:
            fake_eventlet.sleep.return_value = None
            worker.work()
        print("slept", fake_eventlet.sleep.call_count)

    def test_4_tick(self):
        print(clock.tick())


if __name__ == "__main__":
    unittest.main()
