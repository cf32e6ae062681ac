"""Demo ``digits``: the lab — train on handwritten digits and babysit the learning."""

from __future__ import annotations

import numpy as np

from .._rng import as_seed
from ._common import DemoResult, save_figures, single_threaded_blas

__all__ = ["demo_digits"]


@single_threaded_blas
def demo_digits(
    *,
    out_dir=None,
    random_state=0,
    hidden_units: int = 32,
    epochs: int = 60,
    learning_rate: float = 0.01,
    batch_size: int = 32,
    alpha: float = 1e-4,
    validation_fraction: float = 0.2,
) -> DemoResult:
    """The lab: a 64-u-10 sigmoid network on the 8×8 digits, with its babysitting figures.

    The 1797 digits are split 75% / 25% into training and test sets (stratified); a
    further ``validation_fraction`` of the training part is held out as validation data
    and evaluated after every epoch. The network is the lecture's: sigmoid hidden units,
    10 sigmoid outputs, one-hot targets and the cross-entropy cost J(θ) with λ = ``alpha``,
    trained by Adam on mini-batches.

    "Babysitting the learning process": the learning curves plot training and validation
    loss and accuracy per epoch; a large gap between training and validation accuracy
    means overfitting. The confusion matrix and the misclassified test images show what
    the network still gets wrong.

    Parameters
    ----------
    out_dir : str or path-like, optional
        Folder for ``digits-learning-curves.png``, ``digits-confusion.png`` and
        ``digits-misclassified.png``.
    random_state : int, default=0
        Seeds the splits, the initial θ and the batch order.
    hidden_units : int, default=32
        u₂, the hidden layer's size.
    epochs : int, default=60
        Epochs of training (no early stopping: the curves show the whole run).
    learning_rate : float, default=0.01
        Adam's η.
    batch_size : int, default=32
        Examples per mini-batch.
    alpha : float, default=1e-4
        λ, the L2 regularization strength.
    validation_fraction : float, default=0.2
        Share of the training part held out for validation.

    Returns
    -------
    DemoResult
        ``numbers``: ``train_accuracy``, ``val_accuracy``, ``test_accuracy`` (after the
        last epoch), ``best_epoch`` (lowest validation loss), ``n_train``, ``n_val``,
        ``n_test``, ``n_misclassified``; ``tables["history"]``: every 10th epoch.
    """
    from sklearn.model_selection import train_test_split

    from .. import plots
    from .._rng import as_generator
    from ..datasets import digits_split, one_hot
    from ..network import Network
    from ..training import Trainer, TrainingConfig

    seed = as_seed(random_state)
    rng = as_generator(seed)
    X_rest, X_test, y_rest, y_test = digits_split(scale=True, random_state=seed)
    X_train, X_val, y_train, y_val = train_test_split(
        X_rest, y_rest, test_size=validation_fraction, stratify=y_rest, random_state=seed
    )
    classes = np.arange(10)
    net = Network([64, hidden_units, 10], activation="sigmoid", output="sigmoid", random_state=rng)
    config = TrainingConfig(
        solver="adam",
        learning_rate_init=learning_rate,
        batch_size=batch_size,
        alpha=alpha,
        max_iter=epochs,
    )
    trainer = Trainer(net, config, task="multiclass", random_state=rng)
    history = trainer.fit(
        X_train,
        one_hot(y_train, classes=classes),
        validation_data=(X_val, one_hot(y_val, classes=classes)),
    )

    def accuracy(X, y) -> float:
        return float(np.mean(net.forward(X).argmax(axis=1) == y))

    predicted = net.forward(X_test).argmax(axis=1)
    best_epoch = int(history["epoch"][int(np.argmin(history["val_loss"]))])
    result = DemoResult("digits")
    result.numbers = {
        "train_accuracy": accuracy(X_train, y_train),
        "val_accuracy": accuracy(X_val, y_val),
        "test_accuracy": float(np.mean(predicted == y_test)),
        "best_epoch": best_epoch,
        "epochs": int(history["epoch"][-1]),
        "n_train": len(y_train),
        "n_val": len(y_val),
        "n_test": len(y_test),
        "n_misclassified": int(np.count_nonzero(predicted != y_test)),
        "layer_sizes": list(net.layer_sizes),
    }
    result.tables["history"] = _history_table(history)
    result.figures["learning-curves"] = plots.learning_curves(
        history,
        title=(
            f"Babysitting the digits network 64-{hidden_units}-10 "
            f"({len(y_train)} training, {len(y_val)} validation examples)"
        ),
    )
    result.figures["confusion"] = plots.confusion_matrix(
        y_test,
        predicted,
        labels=classes,
        title=(
            f"Digits test set: {len(y_test)} images, accuracy "
            f"{result.numbers['test_accuracy']:.1%}\n(row: true digit, column: predicted)"
        ),
    )
    result.figures["misclassified"] = plots.misclassified_examples(
        X_test, y_test, predicted, image_shape=(8, 8), max_images=16
    )
    return save_figures(result, out_dir)


def _history_table(history) -> str:
    """Every 10th epoch (and the last) of the run: losses and accuracies."""
    columns = ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy")
    n = len(history["epoch"])
    rows = sorted({*range(9, n, 10), n - 1})
    lines = ["  ".join(f"{c:>14}" for c in columns)]
    for i in rows:
        cells = [f"{int(history['epoch'][i]):>14d}"] + [
            f"{history[c][i]:>14.4f}" for c in columns[1:]
        ]
        lines.append("  ".join(cells))
    return "\n".join(lines)
