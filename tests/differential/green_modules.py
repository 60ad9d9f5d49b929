# expect-rewrites: 8
# expect-eventlet-gone: yes
# accept: subprocess-exception-copies
"""Green modules used directly, without green threads."""
from eventlet.green import os
from eventlet.green import select
from eventlet.green import socket
from eventlet.green import subprocess
from eventlet.green import time
from eventlet.green.urllib import parse

a, b = socket.socketpair()
a.sendall(b"ping")
ready, _, _ = select.select([b], [], [], 1.0)
print("ready", len(ready), b.recv(4))
a.close()
b.close()

r, w = os.pipe()
os.write(w, b"via pipe")
print(os.read(r, 100))

out = subprocess.run(["echo", "from a child"], capture_output=True, text=True)
print(out.stdout.strip(), out.returncode)
print("time is float", isinstance(time.time(), float))
print(parse.quote("a b/c"))
