"""eventless is run on pkg/ alone, but the project (found by pyproject.toml)
has a test that mocks eventlet.sleep to count this function's calls. The
old tool saw only pkg/, moved the sleep to time.sleep and could not move the
mock, which then caught nothing: the test slept for real, counted 0 calls
and failed (and with eventlet no longer imported anywhere, could not even
resolve 'eventlet.sleep')."""
import eventlet


def retry(attempts):
    for n in range(attempts):
        eventlet.sleep(0.05 * 2 ** n)
    return attempts
