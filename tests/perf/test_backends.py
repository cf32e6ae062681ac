"""Choosing, falling back from and isolating the kernel backends; the BLAS thread switch."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pytest
from threadpoolctl import ThreadpoolController

from mlplab import _kernels
from mlplab.network import Network
from mlplab.training import Trainer, TrainingConfig, step


@pytest.fixture
def clean_backend_state(monkeypatch):
    """Undo whatever a test does to the module's backend state."""
    monkeypatch.setattr(_kernels, "_override", None)
    monkeypatch.setattr(_kernels, "_numba", _kernels._numba)
    monkeypatch.setattr(_kernels, "_numba_error", _kernels._numba_error)


def test_the_environment_variable_picks_the_backend(monkeypatch, clean_backend_state):
    monkeypatch.setenv(_kernels.ENV_VAR, "numpy")
    assert _kernels.kernels_for(np.float64) is _kernels.NUMPY
    assert _kernels.backend_status() == {"requested": "numpy", "numba": "not used"}
    monkeypatch.setenv(_kernels.ENV_VAR, " NumPy ")
    assert _kernels.requested_backend() == "numpy"
    monkeypatch.setenv(_kernels.ENV_VAR, "fortran")
    with pytest.raises(ValueError, match=r"MLPLAB_KERNELS must be one of .*'numpy', got 'fortran'"):
        _kernels.kernels_for(np.float64)


def test_set_backend_overrides_the_environment_and_checks_the_name(
    monkeypatch, clean_backend_state
):
    monkeypatch.setenv(_kernels.ENV_VAR, "numba")
    with _kernels.use_backend("numpy"):
        assert _kernels.kernels_for(np.float32) is _kernels.NUMPY
    assert _kernels.requested_backend() == "numba"
    with pytest.raises(ValueError, match=r"kernel backend must be one of .*, got 'gpu'"):
        _kernels.set_backend("gpu")


def test_full_batch_training_stays_on_the_reference_kernels(clean_backend_state):
    pytest.importorskip("numba")
    assert _kernels.kernels_for(np.float64).compiled
    assert _kernels.kernels_for(np.float64, full_batch=True) is _kernels.NUMPY
    with _kernels.use_backend("numba"):  # asked for explicitly, it is used everywhere
        assert _kernels.kernels_for(np.float64, full_batch=True).compiled


def test_without_numba_auto_falls_back_and_numba_refuses(monkeypatch, clean_backend_state):
    monkeypatch.setattr(_kernels, "_numba", None)
    monkeypatch.setattr(_kernels, "_numba_error", "numba is not installed (test)")
    assert _kernels.kernels_for(np.float64) is _kernels.NUMPY
    assert _kernels.backend_status()["numba"] == "numba is not installed (test)"
    with (
        _kernels.use_backend("numba"),
        pytest.raises(RuntimeError, match=r"MLPLAB_KERNELS=numba but numba is not installed"),
    ):
        _kernels.kernels_for(np.float64)


def test_a_failing_compile_warns_once_and_trains_on_numpy(monkeypatch, clean_backend_state):
    pytest.importorskip("numba")

    class Broken(_kernels.NumbaKernels):
        def prepare(self, dtype):
            raise TypeError("no such signature")

    from mlplab import _numba_kernels

    monkeypatch.setattr(_kernels, "_numba", Broken(_numba_kernels))
    monkeypatch.setattr(_kernels, "NUMBA_MIN_SAVING_SECONDS", 0)  # this tiny fit stays on numpy
    trainer = Trainer(
        Network([3, 4, 2], "relu", "softmax", random_state=0),
        TrainingConfig(batch_size=4, max_iter=2),
    )
    with pytest.warns(RuntimeWarning, match=r"compiling the numba kernels failed \(TypeError"):
        trainer.fit(np.eye(8, 3), np.eye(8, 2))
    assert trainer._kernels is _kernels.NUMPY
    assert "TypeError" in _kernels.backend_status()["numba"]
    assert _kernels.kernels_for(np.float64) is _kernels.NUMPY  # no second warning


def test_small_training_calls_stay_on_numpy_whatever_is_loaded(monkeypatch, clean_backend_state):
    pytest.importorskip("numba")
    # digits for 10 epochs in batches of 200, and an mnist-shape epoch in batches of 128
    small = {"steps": 90, "work": 1797 * 4810 * 10}
    large = {"steps": 469, "work": 60000 * 203530}
    assert not _kernels.numba_pays_off(**small)
    assert _kernels.numba_pays_off(**large)
    assert _kernels.numba_pays_off(steps=20_000, work=0)  # many small steps pay too
    # a partial_fit call stays on numpy; the lab's 200-epoch fit and 10 epochs of digits
    # in batches of 16 are large enough to use the compiled kernels
    assert not _kernels.numba_pays_off(steps=1, work=32 * 4810)
    assert _kernels.numba_pays_off(steps=200 * 7, work=200 * 1347 * 7510)
    assert _kernels.numba_pays_off(steps=10 * 113, work=10 * 1797 * 2442)
    monkeypatch.setattr(_kernels, "_numba", None)  # as in a fresh process
    monkeypatch.setattr(_kernels, "_numba_error", None)
    assert _kernels.kernels_for(np.float32, **small) is _kernels.NUMPY
    assert _kernels._numba is None  # not even imported
    with _kernels.use_backend("numba"):  # asked for explicitly, it is used at any size
        assert _kernels.kernels_for(np.float32, **small).compiled
    assert _kernels.kernels_for(np.float64, **small) is _kernels.NUMPY  # not loaded for it
    assert _kernels.kernels_for(np.float64, **large).compiled
    # loaded or not, a small call stays on numpy: its bits never depend on what ran before
    assert _kernels.kernels_for(np.float64, **small) is _kernels.NUMPY


def test_a_small_fit_in_a_fresh_process_does_not_import_numba():
    code = (
        "import sys, warnings; warnings.simplefilter('ignore')\n"
        "from sklearn.datasets import load_digits\n"
        "from mlplab import MLPClassifier\n"
        "X, y = load_digits(return_X_y=True)\n"
        "MLPClassifier((64,), max_iter=10, random_state=0).fit(X / 16, y)\n"
        "print('numba' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_kernels_pickle_by_name():
    for kernels in (_kernels.NUMPY, _kernels._backend_named("numba")):
        assert pickle.loads(pickle.dumps(kernels)) is kernels
    assert pickle.loads(pickle.dumps(step.one_blas_thread)) is step.one_blas_thread


@pytest.mark.parametrize("module", ["mlplab", "mlplab.training", "mlplab.network"])
def test_importing_mlplab_never_imports_numba(module):
    code = f"import sys, {module}; print('numba' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# ---------------------------------------------------------------------- BLAS threads
def test_small_products_draws_the_line_at_four_million_multiply_adds():
    assert step.small_products([64, 32, 10], 16)  # digits, batch 16
    assert step.small_products([64, 100, 10], 200)  # 200·65·100 = 1.3 million
    assert not step.small_products([784, 256, 10], 32)  # 32·785·256 = 6.4 million
    assert not step.small_products([784, 256, 10], 128)


def _blas_threads() -> list[int]:
    libraries = ThreadpoolController().select(user_api="blas").lib_controllers
    return [library.get_num_threads() for library in libraries]


def test_one_blas_thread_nests_and_restores_the_thread_counts():
    controller = ThreadpoolController()
    with controller.limit(limits=2, user_api="blas"):
        before = _blas_threads()
        with step.one_blas_thread:
            assert set(_blas_threads()) == {1}
            with step.one_blas_thread:  # a second trainer, say, in another thread
                assert set(_blas_threads()) == {1}
            assert set(_blas_threads()) == {1}  # still held by the first
        assert _blas_threads() == before


def test_small_mini_batch_training_runs_blas_on_one_thread():
    steps, callbacks = [], []

    class Probe:
        def on_epoch_end(self, trainer, epoch, logs):
            callbacks.append(_blas_threads())

    class Recording(Network):
        def train_forward(self, *args):
            steps.append(_blas_threads())
            return super().train_forward(*args)

    controller = ThreadpoolController()
    with controller.limit(limits=2, user_api="blas"):
        net = Recording([6, 8, 3], "relu", "softmax", random_state=0)
        trainer = Trainer(net, TrainingConfig(batch_size=16, max_iter=1), callbacks=[Probe()])
        X = np.random.default_rng(0).normal(size=(64, 6))
        trainer.fit(X, np.eye(3)[np.arange(64) % 3])
    assert len(steps) == 5  # four steps and the end-of-epoch check of the new weights
    assert all(set(threads) == {1} for threads in steps)
    assert callbacks == [[2] * len(callbacks[0])]  # callbacks run with the caller's threads
