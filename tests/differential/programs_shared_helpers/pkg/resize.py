import eventlet


def double(n):
    return n * 2


def resize_all(sizes):
    jobs = [eventlet.spawn(double, n) for n in sizes]
    return [job.wait() for job in jobs]
