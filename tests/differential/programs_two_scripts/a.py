"""A patched service: monkey_patch() makes time.sleep green in this program,
so its sleep may become time.sleep."""
import eventlet
eventlet.monkey_patch()

eventlet.sleep(0.01)
print("a slept")
