"""``mlplab playground``: the lecture's pictures, live in the browser, driven by mlplab itself.

A local web page trains a real :class:`mlplab.MLPClassifier` on 2-D data (XOR, circles,
spirals, the lecture's animals, or an uploaded CSV) and shows, while it trains, the
decision regions, every hidden unit's activation a⁽ˡ⁾ⱼ over the input plane, θ on the
edges of the network diagram, the training and validation curves and the doctor's
findings about the run. Hand-set mode types θ of sigmoid units and prints the slides'
truth tables; a button runs the gradient check.

Modules: :mod:`.config` (what a page may ask, the server's limits), :mod:`.data`,
:mod:`.frames` (what a page draws), :mod:`.session` (one page and its worker thread),
:mod:`.registry` (the open pages), :mod:`.handset`, :mod:`.app` (the ASGI app) and
:mod:`.server` (``serve``). Needs the ``playground`` extra (Starlette, uvicorn):
``pip install mlplab[playground]``.
"""

from __future__ import annotations

__all__ = ["create_app", "serve"]


def create_app(limits=None):
    """The ASGI application (see :func:`mlplab.playground.app.create_app`)."""
    from .app import create_app as _create

    return _create(limits)


def serve(host: str = "127.0.0.1", port: int = 8765, *, limits=None, open_browser=False):
    """Serve the playground until interrupted (see :func:`mlplab.playground.server.serve`)."""
    from .server import serve as _serve

    return _serve(host, port, limits=limits, open_browser=open_browser)
