"""A user of the library that does not patch: a program the library cannot
see (no entry point, no __main__ guard), as any of its users would be."""
from lib import group

g = group.Group()
g.add("a")
g.add("b")
print("user", g.join())
