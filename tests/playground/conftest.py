"""A live playground server in a thread, and a headless Chromium to drive it."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")

from mlplab.playground import create_app  # noqa: E402
from mlplab.playground.config import Limits  # noqa: E402

#: Screenshots go here (CI keeps the folder as an artifact).
ARTIFACTS = (
    Path(
        os.environ.get(
            "MLPLAB_TEST_ARTIFACTS",
            Path(__file__).resolve().parents[2] / "build" / "test-artifacts",
        )
    )
    / "playground"
)


class LiveServer:
    """uvicorn serving ``app`` on a free loopback port, in a daemon thread."""

    def __init__(self, app) -> None:
        self.app = app
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", ws="websockets-sansio"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the playground server did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/"
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@pytest.fixture(scope="module")
def live_server():
    """A server with the default limits except a short page limit for the tests."""
    with LiveServer(create_app(Limits())) as server:
        yield server


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
