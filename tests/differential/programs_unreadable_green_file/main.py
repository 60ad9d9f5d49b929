"""main's sleeps are where the green threads of pumps.py run. pumps.py is
latin-1 and cannot be read, so nothing is known of the threads it starts:
the old tool skipped it, decided that no green thread ran and rewrote the
sleeps to time.sleep, which never yields, so the pumps never ran (log [])."""
import eventlet

import pumps

pumps.start()
for _ in range(4):
    eventlet.sleep(0)
print("log", pumps.log)
