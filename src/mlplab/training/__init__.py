"""The training loop: "gradient descent with backprop; each iteration is called an epoch".

One epoch visits every training example once, in mini-batches drawn from a seeded
permutation. For each batch the network propagates forward and back
(:meth:`Network.train_forward` / :meth:`Network.train_backward`, in
:func:`~mlplab.training.step.train_step`) into preallocated buffers, and the optimizer
updates the unrolled θ in place. After the epoch the trainer
records one history row, asks the callbacks whether to stop, and moves on.

What the loop guarantees:

- **Reproducible.** The same ``random_state`` gives bit-identical weights and history.
- **Fast.** In steady state a step allocates nothing: the batch is gathered into the
  workspace's input buffer, targets into a reused buffer, and float32 stays float32. The
  element-wise passes run as fused compiled kernels when numba is there
  (:mod:`mlplab._kernels`), and small matrix products on one BLAS thread.
  Metrics are computed from what the step computed anyway (the batch's loss and outputs);
  only validation data gets an extra forward pass per epoch.
- **Never left holding NaN.** A non-finite or exploding loss stops training at once and
  rolls the weights back to the start of that epoch, with a warning that names the epoch,
  the loss and the learning rate.
- **Interruptible.** Ctrl-C (SIGINT, and other signals the caller names) ends training
  after the current batch; the model is rolled back to the last completed epoch (a
  signal during an epoch's last batch lets that epoch complete), so history, weights,
  optimizer and random generator agree and a later ``fit`` carries on exactly. A second
  Ctrl-C raises KeyboardInterrupt at once.

``lbfgs`` and ``cg`` hand (J, ∇J) over the whole training set to
``scipy.optimize.minimize``; their history has a row per optimizer iteration, and they
cannot be checkpointed (scipy's state cannot be saved mid-run).
"""

from __future__ import annotations

from ..tasks import TASKS
from .callbacks import Callback, EarlyStopping
from .checkpoint import Checkpoint, CheckpointWarning
from .config import TrainingConfig
from .history import History
from .loop import Trainer, train
from .safety import DivergenceWarning, SignalRecord, TrainingInterrupted, stop_on_signals
from .state import TrainerState
from .step import one_blas_thread

__all__ = [
    "TASKS",
    "Callback",
    "Checkpoint",
    "CheckpointWarning",
    "DivergenceWarning",
    "EarlyStopping",
    "History",
    "SignalRecord",
    "Trainer",
    "TrainerState",
    "TrainingConfig",
    "TrainingInterrupted",
    "one_blas_thread",
    "stop_on_signals",
    "train",
]
