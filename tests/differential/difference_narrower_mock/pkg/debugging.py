"""Green threads stay for a person: eventlet is not switched off."""
import eventlet.debug

eventlet.debug.spew()
