"""The playground's web application: one page, a small JSON API and a frame stream.

======================================  ===============================================
route                                   what it does
======================================  ===============================================
``GET /``, ``GET /static/<asset>``      the page and its script and style (package data)
``GET /api/presets``                    hand-set presets (θ of NOT, AND, OR, NOR, XNOR)
``POST /api/handset``                   truth table of typed θ
``POST /api/pages``                     open a page: its token and state
``POST /api/pages/<t>/config``          new configuration (new data and θ₀)
``PUT /api/pages/<t>/csv``              upload a CSV table (body: the file's bytes)
``POST /api/pages/<t>/run``             {"action": "train" | "pause" | "step" | "reset"}
``POST /api/pages/<t>/gradcheck``       gradient check at the current θ
``GET /api/pages/<t>/model``            the trained model, a safe mlplab model file
``GET /api/pages/<t>/regions.png``      decision regions; ``curves.png``: learning curves
``DELETE /api/pages/<t>``               close the page
``WS /api/pages/<t>/stream``            frames, at most ``frame_rate`` per second
======================================  ===============================================

Every refusal is a JSON ``{"error": message}`` with a 4xx/5xx status, shown by the page.
Requests never name a file: assets are looked up in a fixed table, uploads are bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from importlib import resources

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from .config import ConfigError, Limits, PageConfig, parse_config
from .data import UploadError, read_upload
from .handset import handset_table, preset_weights
from .registry import PageLimitReached, Registry, UnknownPage
from .session import SessionError, frame_json

__all__ = ["create_app"]

#: The page's files: URL name -> (package file, media type). Nothing else is served.
ASSETS = {
    "playground.js": ("playground.js", "text/javascript; charset=utf-8"),
    "playground.css": ("playground.css", "text/css; charset=utf-8"),
}
#: The page may talk only to this server; scripts and styles only from it.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
ACTIONS = ("train", "pause", "step", "reset")


class Refused(Exception):
    """A request refused with ``status`` and a message for the page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _asset(name: str) -> bytes:
    return resources.files(__package__).joinpath("static", name).read_bytes()


def create_app(limits: Limits | None = None) -> Starlette:
    """The ASGI application, with its own registry of open pages.

    Parameters
    ----------
    limits : Limits, optional
        Page count, idle timeout, frame rate and sizes (default: :class:`Limits()`).
    """
    limits = limits or Limits()
    registry = Registry(limits)

    async def read_body(request: Request, limit: int) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            raise Refused(413, f"request body too large: at most {limit:,} bytes")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise Refused(413, f"request body too large: at most {limit:,} bytes")
        return bytes(body)

    async def read_json(request: Request):
        body = await read_body(request, limits.max_body_bytes)
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise Refused(400, "the request body must be JSON") from None

    def page(request: Request):
        try:
            return registry.get(request.path_params["token"])
        except UnknownPage as error:
            raise Refused(404, str(error)) from None

    def handler(function):
        """Turn the library's refusals into JSON errors with the right status."""

        async def endpoint(request: Request) -> Response:
            try:
                return await function(request)
            except Refused as error:
                status, message = error.status, str(error)
            except (ConfigError, UploadError) as error:
                status, message = 400, str(error)
            except SessionError as error:
                status, message = 409, str(error)
            except PageLimitReached as error:
                status, message = 503, str(error)
            return JSONResponse({"error": message}, status_code=status)

        return endpoint

    async def index(request: Request) -> Response:
        return Response(
            _asset("index.html"),
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store"},
        )

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return JSONResponse({"error": "no such file"}, status_code=404)
        filename, media_type = ASSETS[name]
        return Response(_asset(filename), media_type=media_type)

    async def presets(request: Request) -> Response:
        return JSONResponse(preset_weights())

    async def handset(request: Request) -> Response:
        body = await read_json(request)
        if not isinstance(body, dict) or set(body) - {"thetas", "preset"}:
            raise Refused(400, 'send {"thetas": [θ⁽¹⁾, θ⁽²⁾], "preset": name or null}')
        return JSONResponse(handset_table(body.get("thetas"), body.get("preset")))

    async def open_page(request: Request) -> Response:
        body = await read_json(request)
        if not isinstance(body, dict):
            raise Refused(400, 'send {"config": {...}}')
        config = parse_config(body.get("config", {}), limits)
        token, session = await run_in_threadpool(registry.open, config)
        return JSONResponse({"page": token, "state": session.state()}, status_code=201)

    async def configure(request: Request) -> Response:
        session = page(request)
        body = await read_json(request)
        config = parse_config(body.get("config") if isinstance(body, dict) else body, limits)
        await run_in_threadpool(session.configure, config)
        return JSONResponse({"state": session.state()})

    async def upload(request: Request) -> Response:
        session = page(request)
        content = await read_body(request, limits.max_upload_bytes)
        name = request.query_params.get("name", "upload.csv")
        dataset = await run_in_threadpool(read_upload, content, name, limits)
        config = PageConfig(**{**session.config.as_dict(), "data": "csv"})
        config = parse_config(
            {**config.as_dict(), "points": min(dataset.X.shape[0], limits.max_points)}, limits
        )
        await run_in_threadpool(session.configure, config, dataset)
        return JSONResponse({"state": session.state()})

    async def run(request: Request) -> Response:
        session = page(request)
        body = await read_json(request)
        action = body.get("action") if isinstance(body, dict) else None
        if action not in ACTIONS:
            raise Refused(400, f"action must be one of {', '.join(ACTIONS)}; got {action!r:.30}")
        await run_in_threadpool(getattr(session, action))
        return JSONResponse({"ok": True})

    async def gradcheck(request: Request) -> Response:
        session = page(request)
        return JSONResponse(await run_in_threadpool(session.gradient_check))

    def download(method: str, media_type: str, filename: str):
        async def endpoint(request: Request) -> Response:
            session = page(request)
            content = await run_in_threadpool(getattr(session, method))
            return Response(
                content,
                media_type=media_type,
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )

        return endpoint

    async def close_page(request: Request) -> Response:
        await run_in_threadpool(registry.close, request.path_params["token"])
        return Response(status_code=204)

    async def stream(websocket: WebSocket) -> None:
        """Send the newest frame at most ``frame_rate`` times per second; older ones drop.

        The page answers every frame with "ack" once it has drawn it, and the next frame
        waits for that answer: a page that draws slowly gets fewer, newer frames instead
        of a backlog in the network buffers.
        """
        try:
            session = registry.get(websocket.path_params["token"])
        except UnknownPage as error:
            await websocket.accept()
            await websocket.send_text(json.dumps({"error": str(error), "closed": True}))
            await websocket.close()
            return
        await websocket.accept()
        period = 1.0 / limits.frame_rate
        sent_version, sent_rows, run_id, unacknowledged = -1, 0, None, False
        receiver = asyncio.ensure_future(websocket.receive_text())
        try:
            while not session.closed:
                done, _ = await asyncio.wait({receiver}, timeout=period)
                if done:
                    # raises WebSocketDisconnect when the page went away
                    if receiver.result() == "ack":
                        unacknowledged = False
                    session.touch()
                    receiver = asyncio.ensure_future(websocket.receive_text())
                version, frame = session.latest()
                if version == sent_version or unacknowledged:
                    continue
                if frame.get("run") != run_id:
                    run_id, sent_rows = frame.get("run"), 0
                rows = session.rows_since(sent_rows)
                sent_rows += len(rows)
                sent_version = version
                await websocket.send_text(
                    '{"frame":' + frame_json(frame) + ',"rows":' + frame_json(rows) + "}"
                )
                unacknowledged = True
            await websocket.send_text(json.dumps({"closed": True, "error": "page closed"}))
        except (WebSocketDisconnect, RuntimeError):
            pass  # the page is gone
        finally:
            receiver.cancel()
            # A closed tab (or a reload) ends the page: its worker stops, its memory is
            # freed. Closing waits for the worker, so it runs on a thread of its own, which
            # also finishes when this task is being cancelled (nothing here is awaited).
            threading.Thread(
                target=registry.close, args=(websocket.path_params["token"],), daemon=True
            ).start()

    @contextlib.asynccontextmanager
    async def lifespan(app):
        async def sweeper():
            while True:
                await asyncio.sleep(min(30.0, limits.idle_timeout / 4))
                await run_in_threadpool(registry.sweep)

        task = asyncio.ensure_future(sweeper())
        try:
            yield
        finally:
            task.cancel()
            await run_in_threadpool(registry.close_all)

    token = "/api/pages/{token}"
    routes = [
        Route("/", index),
        Route("/static/{name}", asset),
        Route("/api/presets", handler(presets)),
        Route("/api/handset", handler(handset), methods=["POST"]),
        Route("/api/pages", handler(open_page), methods=["POST"]),
        Route(token, handler(close_page), methods=["DELETE"]),
        Route(token + "/config", handler(configure), methods=["POST"]),
        Route(token + "/csv", handler(upload), methods=["PUT"]),
        Route(token + "/run", handler(run), methods=["POST"]),
        Route(token + "/gradcheck", handler(gradcheck), methods=["POST"]),
        Route(
            token + "/model",
            handler(download("model_bytes", "application/octet-stream", "playground-model.mlplab")),
        ),
        Route(
            token + "/regions.png",
            handler(download("regions_png", "image/png", "decision-regions.png")),
        ),
        Route(
            token + "/curves.png",
            handler(download("curves_png", "image/png", "learning-curves.png")),
        ),
        WebSocketRoute(token + "/stream", stream),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.registry = registry
    app.state.limits = limits
    return app
