"""An eventlet Event that stays, in a module of its own (the rewrite of
main.py would be held beside it)."""
from eventlet import event

ready = event.Event()  # eventless: ignore
