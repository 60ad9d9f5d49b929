"""The library's test, run monkey-patched by lib/tests/__init__.py."""
import unittest

from lib import group


class GroupTest(unittest.TestCase):
    def test_members_take_turns(self):
        g = group.Group()
        g.add("a")
        g.add("b")
        print("test", g.join())
        self.assertEqual(len(g.log), 4)


if __name__ == "__main__":
    unittest.main()
