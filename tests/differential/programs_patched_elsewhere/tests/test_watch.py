"""Imports pkg.watch only, not pkg.cmd: nothing patches here."""
from pkg import watch

print("slow", watch.probe(0.02, 0.2))
print("fast", watch.probe(0.2, 0.01))
