# expect-rewrites: 3
# expect-eventlet-gone: yes
# accept: resolver
"""Fallback imports (eventlet's names, the stdlib's where eventlet is
missing) go whole once their names are rewritten: where eventlet is
installed the first branch ran, and its rewrite binds what the handler
would have."""
import eventlet

try:
    from eventlet import sleep
    from eventlet.green import socket
except ImportError:
    from time import sleep
    import socket

eventlet.monkey_patch()

left, right = socket.socketpair()
left.sendall(b"ping")
sleep(0.01)
print(right.recv(16).decode())
left.close()
right.close()
