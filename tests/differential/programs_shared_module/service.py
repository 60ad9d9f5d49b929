"""The patched program: worker's sleep is green here whatever it is called."""
import eventlet
eventlet.monkey_patch()

import worker  # noqa: E402

worker.work("s")
print("service", worker.log)
