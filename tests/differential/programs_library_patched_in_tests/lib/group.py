"""A library module: a group of green threads that take turns at
eventlet.sleep(0). The library's only monkey_patch() is in its tests'
__init__.py; its users may not patch. The old tool decided per folder, took
the library for patched and made the sleep time.sleep: in a user that does
not patch it blocks, so each member ran to its end before the next began
(a0 a1 b0 b1 instead of a0 b0 a1 b1)."""
import eventlet


class Group:
    def __init__(self):
        self.log = []
        self.members = []

    def add(self, name):
        self.members.append(eventlet.spawn(self._member, name))

    def _member(self, name):
        for i in range(2):
            self.log.append(name + str(i))
            eventlet.sleep(0)

    def join(self):
        for member in self.members:
            member.wait()
        return self.log
