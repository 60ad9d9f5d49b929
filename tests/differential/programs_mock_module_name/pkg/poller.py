"""Its test replaces the name `sleep` in this module. The old tool made the
call time.sleep and dropped the import, so the test's patch found no
'sleep' here (AttributeError); the call stays while the mock does."""
from eventlet import sleep


def poll():
    sleep(5)
    return "polled"
