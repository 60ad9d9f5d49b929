from eventlet import greenthread


def crawl():
    greenthread.sleep(0.3)
