"""Tests that patch eventlet through the module they test, by a dotted
string or through the module object, and print the calls they catch."""
import unittest
from unittest import mock

from pkg.a import manager


class ManagerTest(unittest.TestCase):
    @mock.patch('pkg.a.manager.eventlet.sleep')
    def test_1_retry_backs_off(self, fake_sleep):
        self.assertEqual(manager.retry(3), 3)
        print("retry", [c.args for c in fake_sleep.call_args_list])

    def test_2_pause(self):
        with mock.patch('pkg.a.manager.greenthread.sleep') as fake_sleep:
            print(manager.pause(), fake_sleep.call_args)
        fake_sleep.assert_called_once_with(30)

    def test_3_pause_through_the_module_object(self):
        with mock.patch.object(manager.greenthread, 'sleep') as fake_sleep:
            print(manager.pause(), fake_sleep.call_args)
        fake_sleep.assert_called_once_with(30)

    def test_4_retry_through_the_module_object(self):
        with mock.patch.object(manager.eventlet, 'sleep') as fake_sleep:
            manager.retry(2)
        print("retry", fake_sleep.call_count)


if __name__ == "__main__":
    unittest.main()
