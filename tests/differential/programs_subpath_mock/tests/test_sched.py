"""The test, outside the paths given to eventless: it must stay as it is,
so the code it mocks must stay too."""
import unittest
from unittest import mock

from pkg import sched


class RetryTest(unittest.TestCase):
    def test_backs_off(self):
        with mock.patch("eventlet.sleep") as fake_sleep:
            sched.retry(3)
        print("calls", [c.args for c in fake_sleep.call_args_list])
        self.assertEqual(fake_sleep.call_count, 3)


if __name__ == "__main__":
    unittest.main()
