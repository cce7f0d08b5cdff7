"""WebSockets that carry a test client's session cookie, as a browser's do: how the
consumer knows whose socket it is (an account, or a visitor's browser session)."""

from channels.testing import WebsocketCommunicator

from .helpers import WAIT


def cookie_header(client):
    return "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items()).encode()


async def connect_as(client, run_id, after=0, origin=b"http://127.0.0.1"):
    """A connected socket to a run, with `client`'s cookies (and an Origin, unless None)."""
    from playground.asgi import application

    headers = [(b"host", b"127.0.0.1"), (b"cookie", cookie_header(client))]
    if origin is not None:
        headers.append((b"origin", origin))
    comm = WebsocketCommunicator(application, f"/ws/runs/{run_id}/?after={after}", headers=headers)
    connected, _ = await comm.connect(timeout=WAIT)
    assert connected
    return comm
