# expect-rewrites: 2
# expect-eventlet-gone: yes
# accept: wider-mock
"""A test base class's mock_object(eventlet, 'sleep') (cinder and manila
have one; heat's is patchobject) is a patch.object: it follows the code's
rewrite to time, so the test still intercepts the sleep."""
from unittest import mock

import eventlet


class TestCase:
    def __init__(self):
        self.patchers = []

    def mock_object(self, obj, attr_name, new_attr=None):
        new_attr = new_attr or mock.Mock()
        patcher = mock.patch.object(obj, attr_name, new_attr)
        patcher.start()
        self.patchers.append(patcher)
        return new_attr

    def tear_down(self):
        for patcher in self.patchers:
            patcher.stop()


def retry():
    eventlet.sleep(30)
    return "retried"


test = TestCase()
fake_sleep = test.mock_object(eventlet, 'sleep')
print(retry(), fake_sleep.call_args)
test.tear_down()
