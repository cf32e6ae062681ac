"""Run the playground's app with uvicorn on one host and port."""

from __future__ import annotations

import ipaddress
import threading
import webbrowser

from .config import Limits

__all__ = ["is_loopback", "page_url", "serve"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def page_url(host: str, port: int) -> str:
    """The URL of the page served on host:port (IPv6 addresses in brackets)."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    if host in ("0.0.0.0", "[::]"):
        host = "127.0.0.1"
    return f"http://{host}:{port}/"


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    limits: Limits | None = None,
    open_browser: bool = False,
    on_ready=None,
) -> None:
    """Serve the playground until interrupted (Ctrl-C).

    Parameters
    ----------
    host, port : str, int
        Where to listen; port 0 picks a free port.
    limits : Limits, optional
    open_browser : bool
        Open the page in the default browser once the server listens.
    on_ready : callable, optional
        Called with the page's URL once the server listens (the command line prints it).
    """
    import uvicorn

    from .app import create_app

    config = uvicorn.Config(
        create_app(limits), host=host, port=port, log_level="warning", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)

    def announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            threading.Event().wait(0.05)
        bound = port
        for listener in getattr(server, "servers", []):
            for sock in listener.sockets:
                bound = sock.getsockname()[1]
        url = page_url(host, bound)
        if on_ready is not None:
            on_ready(url)
        if open_browser:
            webbrowser.open(url)

    threading.Thread(target=announce, daemon=True).start()
    server.run()
