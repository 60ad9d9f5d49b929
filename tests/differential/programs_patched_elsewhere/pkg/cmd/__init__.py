"""The commands run monkey-patched: importing pkg.cmd patches."""
import eventlet

eventlet.monkey_patch()
