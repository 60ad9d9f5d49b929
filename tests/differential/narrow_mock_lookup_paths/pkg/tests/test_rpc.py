from pkg import rpc


def test_rpc():
    assert rpc.get_server
