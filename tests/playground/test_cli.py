"""``mlplab playground`` as a user starts it: a process that prints its URL and serves."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from mlplab.playground.server import is_loopback, page_url

pytest.importorskip("uvicorn")

SRC = str(Path(__file__).resolve().parents[2] / "src")


def start(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(
        [sys.executable, "-m", "mlplab", "playground", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def open_page(url: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        url + "api/pages",
        data=json.dumps({"config": {}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.slow
def test_command_prints_the_url_and_serves_the_page():
    process = start("--port", "0", "--max-pages", "1")
    try:
        line = process.stdout.readline()
        assert line.startswith("mlplab playground: http://127.0.0.1:"), line
        url = line.split()[2]
        with urllib.request.urlopen(url, timeout=30) as response:
            page = response.read().decode()
        assert "<title>mlplab playground</title>" in page
        # --max-pages reaches the server: the second page is refused with the message
        opened = [open_page(url) for _ in range(2)]
        assert opened[0][0] == 201
        assert opened[1][0] == 503
        assert "the server's limit of 1 open page is reached" in opened[1][1]["error"]
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert "warning" not in stderr
    assert "Traceback" not in stderr


@pytest.mark.slow
def test_non_loopback_host_warns():
    # 192.0.2.1 (TEST-NET-1) is assigned to no machine: the warning comes, binding fails
    process = start("--host", "192.0.2.1", "--port", "0")
    _, stderr = process.communicate(timeout=60)
    assert "warning: listening on 192.0.2.1: anyone who can reach this machine" in stderr


def test_loopback_and_urls():
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("192.168.1.5")
    assert page_url("::1", 80) == "http://[::1]:80/"
    assert page_url("0.0.0.0", 8765) == "http://127.0.0.1:8765/"
