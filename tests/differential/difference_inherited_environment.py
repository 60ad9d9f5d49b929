# expect-rewrites: 2
# expect-eventlet-gone: yes
# accept: inherited-environment
"""A program that tunes eventlet through its environment, whose last
eventlet use goes: the setting goes too, and a command the program starts
no longer inherits it. What the program itself does stays the same."""
import os
import subprocess
import sys

os.environ['EVENTLET_NO_GREENDNS'] = 'yes'

import eventlet  # noqa: E402

eventlet.sleep(0)
child = subprocess.run(
    [sys.executable, "-c", "import os; print(os.environ.get('EVENTLET_NO_GREENDNS'))"],
    capture_output=True,
    text=True,
    check=True,
)
print("[inherited-environment] the command it starts sees:", child.stdout.strip())
print("done")
