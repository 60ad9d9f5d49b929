"""Code the program runs that starts no green thread itself."""
import eventlet


def nap():
    eventlet.sleep(0.05)
