# expect-rewrites: 7
# expect-eventlet-gone: yes
# accept: wider-mock
"""The green ssl and builtin modules used directly, and a test's mock of a
green module's member, which follows the code to the stdlib module."""
from unittest import mock

from eventlet.green import builtin
from eventlet.green import os
from eventlet.green import ssl


def context_summary():
    context = ssl.create_default_context()
    return (context.verify_mode == ssl.CERT_REQUIRED, context.check_hostname,
            ssl.PROTOCOL_TLS_CLIENT == context.protocol)


def first_line(path):
    with builtin.open(path) as f:
        return f.readline().strip()


def process_tag():
    return "pid-%d" % os.getpid()


print(context_summary())
print(first_line(__file__))
with mock.patch('eventlet.green.os.getpid', return_value=42):
    print(process_tag())
print(process_tag() == "pid-%d" % os.getpid())
