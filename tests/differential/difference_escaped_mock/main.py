"""Once settle() calls time.sleep, the mock of eventlet's sleep in base.py
no longer catches it: under that mock, it now waits."""
import time

import base
import worker

started = time.monotonic()
base.quietly(worker.settle)
print("[escaped-mock] settle() waited under the mock:",
      time.monotonic() - started >= 0.3)
print("done")
