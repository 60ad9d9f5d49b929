# expect-rewrites: 3
# expect-eventlet-gone: yes
"""GreenPipe over a pipe's descriptors (buffered and not, mode given by
keyword), and over a file object, whose descriptor it takes over and which
it closes: the same bytes, and the same closed original, from io.open."""
import os

from eventlet import greenio

read_fd, write_fd = os.pipe()
writer = greenio.GreenPipe(write_fd, "wb", 0)
reader = greenio.GreenPipe(read_fd, mode="rb")
writer.write(b"line one\nline two\n")
writer.close()
print(reader.readline(), reader.read())
reader.close()

with open(__file__, "rb") as original:
    taken = greenio.GreenPipe(original, "rb")
    print(original.closed, taken.readline())
    taken.close()
