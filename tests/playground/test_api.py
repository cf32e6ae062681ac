"""The playground's server through Starlette's TestClient: refusals, limits, page life."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

pytest.importorskip("starlette")

from starlette.testclient import TestClient

import mlplab
from mlplab.datasets import CSVFormatError, load_csv
from mlplab.playground import create_app
from mlplab.playground.config import Limits, PageConfig, parse_config

from ..reliability.test_csv_and_cli import BAD_CSV


@pytest.fixture
def client():
    with TestClient(create_app(Limits(max_pages=3))) as client:
        yield client


def open_page(client, **config) -> str:
    response = client.post("/api/pages", json={"config": config})
    assert response.status_code == 201, response.text
    return response.json()["page"]


def error(response, status: int) -> str:
    assert response.status_code == status, response.text
    return response.json()["error"]


# ---------------------------------------------------------------------- configuration
@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"lr": 100}, "lr (η, the learning rate) must be between 1e-05 and 10, got 100"),
        ({"lr": "fast"}, "lr (η, the learning rate) must be a number, got 'fast'"),
        ({"points": 1e9}, "points must be between 20 and 2000"),
        ({"points": 20.5}, "points must be a whole number"),
        ({"alpha": float("nan")}, None),  # not JSON: refused as a body
        ({"hidden": [4] * 5}, "at most 4 hidden layers"),
        ({"hidden": [0]}, "hidden layer 2 must be between 1 and 16"),
        ({"data": "../../etc/passwd"}, "data must be one of xor, circles"),
        ({"solver": "lbfgs"}, "solver must be one of gd, sgd, adam"),
        ({"path": "/tmp/x"}, "unknown field 'path'"),
        ({"data": "csv"}, "data 'csv' needs an uploaded table"),
        ({"noise": True}, "noise must be a number, got True"),
    ],
)
def test_bad_configurations_are_refused_with_the_field_named(client, config, message):
    if message is None:
        body = json.dumps({"config": config}).encode()  # Python writes NaN, JSON has none
        response = client.post("/api/pages", content=body.replace(b"NaN", b"nan"))
        assert error(response, 400) == "the request body must be JSON"
        return
    assert message in error(client.post("/api/pages", json={"config": config}), 400)
    assert len(client.app.state.registry) == 0  # nothing was opened


def test_config_round_trips_through_url_strings():
    limits = Limits()
    config = parse_config(
        {"hidden": "6,5", "lr": "0.01", "points": "300", "data": "spirals"}, limits
    )
    assert config.hidden == (6, 5)
    assert config.lr == 0.01
    assert config.points == 300
    as_url = {
        k: ",".join(map(str, v)) if k == "hidden" else str(v) for k, v in config.as_dict().items()
    }
    assert parse_config(as_url, limits) == config
    assert parse_config({}, limits) == PageConfig()


def test_oversized_and_malformed_bodies(client):
    huge = {"config": {"data": "xor", "pad": "x" * 20_000}}
    assert "request body too large: at most 16,384 bytes" in error(
        client.post("/api/pages", json=huge), 413
    )
    assert error(client.post("/api/pages", content=b"{not json"), 400) == (
        "the request body must be JSON"
    )
    assert error(client.post("/api/pages", json=[1, 2]), 400) == 'send {"config": {...}}'
    token = open_page(client)
    assert "action must be one of train, pause, step, reset" in error(
        client.post(f"/api/pages/{token}/run", json={"action": "rm -rf"}), 400
    )
    upload = b"a,b,c\n" + b"1,2,3\n" * 200_000
    assert "at most 1,000,000 bytes" in error(
        client.put(f"/api/pages/{token}/csv?name=big.csv", content=upload), 413
    )


def test_unknown_pages_and_assets(client):
    assert "reload the page" in error(
        client.post("/api/pages/nope/run", json={"action": "train"}), 404
    )
    assert client.get("/static/app.py").status_code == 404
    assert client.get("/static/..%2Fapp.py").status_code == 404
    page = client.get("/")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "http" not in page.text.replace("http://www.w3.org", "")  # no other host


def test_uploads_go_through_the_library_csv_reader(client):
    token = open_page(client)
    bad = b"x1,x2,label\n1,2,a\n3,,b\n"
    message = error(
        client.put(f"/api/pages/{token}/csv?name=../../my%20file.csv", content=bad), 400
    )
    assert message.startswith("my file.csv, line 3, column 2 ('x2')")
    assert "/tmp" not in message
    assert "mlplab-upload" not in message
    three = b"a,b,c,label\n" + b"1,2,3,x\n" * 20
    assert "3 feature column(s)" in error(
        client.put(f"/api/pages/{token}/csv?name=t.csv", content=three), 400
    )
    real = b"a,b,label\n" + b"".join(f"{i},{i % 7},{i % 2}\n".encode() for i in range(20))
    assert "not whole" in error(
        client.put(f"/api/pages/{token}/csv", content=real.replace(b",0\n", b",0.5\n")), 400
    )
    huge = real.replace(b"\n3,", b"\n1e300,", 1)
    assert error(client.put(f"/api/pages/{token}/csv?name=big.csv", content=huge), 400) == (
        "big.csv: feature 'a' holds 1e+300, too large to standardize in float64 (its square "
        "overflows); rescale the column (e.g. to other units)"
    )
    state = client.put(f"/api/pages/{token}/csv?name=ok.csv", content=real).json()["state"]
    assert state["config"]["data"] == "csv"
    assert len(state["data"]["points"]) == 20
    assert state["data"]["name"] == "ok"


@pytest.mark.parametrize("case", [case for case, (_, target, _) in BAD_CSV.items() if not target])
def test_an_upload_is_refused_as_the_same_file_is(client, tmp_path, case):
    content = BAD_CSV[case][0]
    path = tmp_path / "mine.csv"
    path.write_bytes(content)
    with pytest.raises(CSVFormatError) as caught:
        load_csv(path)
    token = open_page(client)
    message = error(client.put(f"/api/pages/{token}/csv?name=mine.csv", content=content), 400)
    assert message == str(caught.value).replace(str(path), "mine.csv")
    assert message.startswith("mine.csv")


def test_page_limit_gives_a_clear_message_and_frees_slots(client):
    tokens = [open_page(client) for _ in range(3)]
    message = error(client.post("/api/pages", json={"config": {}}), 503)
    assert "the server's limit of 3 open pages is reached: close a playground tab" in message
    assert client.delete(f"/api/pages/{tokens[0]}").status_code == 204
    open_page(client)


def test_idle_pages_are_dropped(client):
    registry = client.app.state.registry
    token = open_page(client)
    session = registry.get(token)
    assert registry.sweep(now=session.last_seen + 599) == []
    assert registry.sweep(now=session.last_seen + 601) == [token]
    assert session.closed
    assert "no longer open" in error(client.post(f"/api/pages/{token}/gradcheck"), 404)


def test_page_closed_while_training_stops_its_worker(client):
    token = open_page(client, data="spirals", hidden=[8, 8], points=400)
    session = client.app.state.registry.get(token)
    with client.websocket_connect(f"/api/pages/{token}/stream") as ws:
        json.loads(ws.receive_text())
        ws.send_text("ack")
        client.post(f"/api/pages/{token}/run", json={"action": "train"})
        while not json.loads(ws.receive_text())["frame"]["running"]:
            ws.send_text("ack")
        assert session.running
    # the socket closed as a tab does: the page is gone and its worker has ended
    deadline = time.monotonic() + 30  # generous: the machine may be busy
    while (len(client.app.state.registry) or session.running) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(client.app.state.registry) == 0
    assert not session.running
    assert session.closed


def test_frames_are_rate_limited_and_carry_every_epoch(client):
    token = open_page(client, data="xor", hidden=[2], solver="gd", points=40)
    limits = client.app.state.limits
    with client.websocket_connect(f"/api/pages/{token}/stream") as ws:
        json.loads(ws.receive_text())
        ws.send_text("ack")
        client.post(f"/api/pages/{token}/run", json={"action": "train"})
        rows, stamps = [], []
        while len(stamps) < 15:
            message = json.loads(ws.receive_text())
            ws.send_text("ack")
            stamps.append(time.monotonic())
            rows += message["rows"]
            if rows and not message["frame"]["running"]:
                break  # the run ended (its stopping rule) before 15 frames: no more come
        client.post(f"/api/pages/{token}/run", json={"action": "pause"})
    # at most frame_rate frames per second reach the page (the sender waits a period
    # between frames; timing only slows it down), and the epochs arrive without a gap
    assert (stamps[-1] - stamps[0]) >= (len(stamps) - 1) / limits.frame_rate * 0.9
    assert [row[0] for row in rows] == list(range(1, len(rows) + 1))
    assert len(rows) > len(stamps)  # gd on 28 points: many epochs per frame


def test_step_pause_reset_and_products(client, tmp_path):
    token = open_page(client, data="cats-dogs", hidden=[3], seed=3)
    base = f"/api/pages/{token}"
    assert "train at least one epoch" in error(client.get(base + "/model"), 409)
    session = client.app.state.registry.get(token)
    theta0 = session.net.theta.copy()
    client.post(base + "/run", json={"action": "step"})
    session.wait()
    assert session.rows_since(0)[-1][0] == 1.0
    assert not np.array_equal(session.net.theta, theta0)
    check = client.post(base + "/gradcheck").json()
    assert [row["layer"] for row in check["layers"]] == [1, 2]
    assert check["verdict"] in ("good", "acceptable")
    assert check["error"] < 1e-4
    model = client.get(base + "/model")
    assert model.headers["content-disposition"] == 'attachment; filename="playground-model.mlplab"'
    path = tmp_path / "m.mlplab"
    path.write_bytes(model.content)
    loaded = mlplab.load(path)
    data = session.data
    # The file takes raw (kg, cm) features: the page's standardization is folded into
    # θ⁽¹⁾. Folding reorders the first layer's affine arithmetic, which moves z⁽²⁾ by a
    # few ulps of its terms (|z| ≲ 10 here: ~1e-14); every later layer is contracting
    # or bounded (tanh′, σ′ ≤ 1) times weights of a few units, so h moves by ≲ 1e-13.
    expected = session.net.forward(data.X_val)[:, 0]
    got = loaded.predict_proba(data.raw_val)[:, 1]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    for png in ("regions.png", "curves.png"):
        assert client.get(base + "/" + png).content[:8] == b"\x89PNG\r\n\x1a\n"
    client.post(base + "/run", json={"action": "reset"})
    assert np.array_equal(session.net.theta, theta0)  # the same seed draws the same θ₀
    assert session.rows_since(0) == []


def test_handset_tables(client):
    presets = client.get("/api/presets").json()
    assert presets["NOR"] == [[[10.0, -20.0, -20.0]]]
    answer = client.post("/api/handset", json={"thetas": presets["XNOR"], "preset": "XNOR"}).json()
    assert answer["text"] == mlplab.logic.format_table("XNOR")
    assert [row["y"] for row in answer["rows"]] == [1, 0, 0, 1]
    assert len(answer["rows"][0]["hidden"][0]) == 2  # a₁⁽²⁾, a₂⁽²⁾
    for thetas, message in [
        ([[[10, -20, -20, 5, 5]]], "1 or 2 inputs"),
        ([[[1e9, 0, 0]]], "limited to ±1000"),
        ([[[10, "x", 0]]], "every weight must be a number"),
        ([[[1, 2, 3]], [[1, 2, 3]]], "θ⁽²⁾ must be one row of 2 weights"),
        ("rm", "list of one or two weight matrices"),
    ]:
        assert message in error(client.post("/api/handset", json={"thetas": thetas}), 400)


def test_stepping_epoch_by_epoch_trains_as_one_fit(client):
    from sklearn.base import clone

    from mlplab.training import Callback

    token = open_page(client, data="circles", hidden=[5], solver="adam", batch=16, seed=4)
    session = client.app.state.registry.get(token)
    for _ in range(5):
        client.post(f"/api/pages/{token}/run", json={"action": "step"})
        session.wait()
    assert [row[0] for row in session.rows_since(0)] == [1.0, 2.0, 3.0, 4.0, 5.0]

    class StopAfterFive(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            return epoch >= 5

    # the same estimator fitted straight through 5 epochs of the same planned run (the
    # run's length picks the kernels): Adam's moments and the batch order carry across the
    # steps, so θ is the same to the last bit
    data = session.data
    straight = clone(session.estimator).set_params(
        callbacks=[StopAfterFive()], max_iter=session.limits.max_epochs + 1, warm_start=False
    )
    straight.fit(data.X_train, data.y_train, validation_data=(data.X_val, data.y_val))
    assert straight.n_iter_ == 5
    assert np.array_equal(session.net.theta, straight.network_.theta)


def test_one_step_is_one_epoch_even_when_the_worker_outruns_the_request(monkeypatch):
    # On a busy machine the new worker thread may finish its first epoch before the
    # request that started it runs again; a step must still stop after that one epoch.
    import threading

    from mlplab.playground.session import Session

    limits = Limits()
    session = Session(parse_config({"data": "xor", "hidden": [2], "points": 40}, limits), limits)

    class SlowToReturn(threading.Thread):
        def start(self):
            super().start()
            deadline = time.monotonic() + 30
            while not session.rows_since(0) and time.monotonic() < deadline:
                time.sleep(0.005)  # the worker's first epoch ends before start() returns
            time.sleep(0.1)

    monkeypatch.setattr(threading, "Thread", SlowToReturn)
    try:
        session.step()
        session.wait()
        assert [row[0] for row in session.rows_since(0)] == [1.0]
        assert session.latest()[1]["epoch"] == 1
        assert not session.latest()[1]["running"]
    finally:
        session.close()
