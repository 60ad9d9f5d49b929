# expect-rewrites: 0
# expect-manual: eventlet.event.Event
"""A second send() raised AssertionError in eventlet; threading.Event would
accept it, so an event sent from two places stays."""
from eventlet import event

done = event.Event()
done.send()
try:
    done.send()
except AssertionError:
    print("second send refused")
print("ready", done.ready())
