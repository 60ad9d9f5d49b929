# expect-rewrites: 1
# expect-eventlet-gone: yes
# accept: subprocess-exception-copies
"""Green subprocess loaded before the stdlib module: a green Popen's wait()
raises eventlet's copy of TimeoutExpired, which a handler written for the
stdlib class (a library's, here) does not catch. Once the module is the
stdlib's, the same handler catches it."""
import sys

# As in a service whose first import is eventlet: subprocess not loaded yet
# (an interpreter's site hooks may have loaded it).
sys.modules.pop("subprocess", None)

from eventlet.green import subprocess  # noqa: E402


def library_wait(process, seconds):
    import subprocess as stdlib_subprocess

    try:
        return process.wait(timeout=seconds)
    except stdlib_subprocess.TimeoutExpired:
        return "timed out"


child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
try:
    print("[subprocess-exception-copies] waited:", library_wait(child, 0.2))
except Exception as error:
    print("[subprocess-exception-copies] escaped the library:", type(error).__name__)
child.kill()
print("exit status after kill:", child.wait())
