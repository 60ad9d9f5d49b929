"""Every command of the package runs monkey-patched (nova's cmd/ does this)."""
import eventlet

eventlet.monkey_patch()
