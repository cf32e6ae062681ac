"""The figures of a run folder, drawn by :mod:`mlplab.plots` from the trained model."""

from __future__ import annotations

import numpy as np

from .folder import FIGURE_CAPTIONS, RunFolder
from .text import format_percent


def draw_run_figures(
    run: RunFolder, model, data, history, best_epoch, metrics, networks=None
) -> list[dict]:
    """Draw and save the run's figures; return their entries for config.json.

    The learning curves and the update ratios (when an epoch was recorded); for
    classifiers the confusion
    matrix; for 2-D inputs the decision regions; for image inputs the hidden units'
    weights and the misclassified test images. ``model`` takes raw inputs (the scaling is
    folded into it), so every figure shows the data in its own units. ``data`` is the
    command line's prepared data (its ``dataset``, ``parts()`` and ``image_shape``).

    ``networks`` (name → history) is given for a model of several binary networks
    (one-vs-rest, one-vs-one): their training losses take the learning curves' place, and
    figures of one network's weights are left out, as are those of class probabilities
    when the model has none (one-vs-one).
    """
    from .. import plots

    figures = []

    def save(name: str, figure, caption: str | None = None) -> None:
        figures.append(run.save_figure(name, figure, caption))
        figure.clear()

    name = data.dataset.name
    if networks is not None:
        save(
            "learning_curves.png",
            plots.network_losses(networks, title=f"Training loss of each binary network: {name}"),
            caption=f"{len(networks)} binary networks, each trained on its own and stopped "
            "when its training loss stopped improving (dotted: the loss of h = ½).",
        )
    elif history.n_epochs:
        # (no epoch when training diverged or was stopped in its first epoch)
        layers = "–".join(str(u) for u in model.network_.layer_sizes)
        save(
            "learning_curves.png",
            plots.learning_curves(
                history, best_epoch=best_epoch, title=f"Learning curves: {name}, network {layers}"
            ),
        )
        if any(column.startswith("update_ratio_") for column in history):
            save("update_ratios.png", plots.update_ratios(history))

    classifier = hasattr(model, "classes_")
    parts = data.parts()
    part = next(p for p in ("test", "validation", "train") if p in parts)
    X_part, y_part = parts[part]
    names = [data.dataset.class_name(c) for c in model.classes_] if classifier else None
    if classifier:
        predicted = model.predict(X_part)
        accuracy = metrics[part].get("accuracy")
        save(
            "confusion_matrix.png",
            plots.confusion_matrix(
                y_part,
                predicted,
                labels=model.classes_,
                class_names=names,
                title=f"Confusion matrix, {part} part "
                f"({X_part.shape[0]} examples, accuracy {format_percent(accuracy)})",
            ),
            caption=f"On the {part} part. " + FIGURE_CAPTIONS["confusion_matrix.png"][1],
        )
    if classifier and hasattr(model, "predict_proba"):
        proba = model.predict_proba(X_part)
        which = f"On the {part} part. "
        if len(model.classes_) == 2:
            positive = (np.asarray(y_part) == model.classes_[1]).astype(int)
            save(
                "roc_pr.png",
                plots.roc_and_pr_curves(positive, proba[:, 1], positive_name=names[1]),
                caption=which + FIGURE_CAPTIONS["roc_pr.png"][1],
            )
            correct, confidence = positive, proba[:, 1]
        else:
            chosen = np.argmax(proba, axis=1)
            correct = (model.classes_[chosen] == np.asarray(y_part)).astype(int)
            confidence = proba[np.arange(len(chosen)), chosen]
        save(
            "calibration.png",
            plots.calibration_diagram(correct, confidence),
            caption=which + FIGURE_CAPTIONS["calibration.png"][1],
        )
    elif not classifier:
        predicted = model.predict(X_part)
        target = data.dataset.target_name or "target"
        for file, draw in (
            ("predicted_vs_actual.png", plots.predicted_vs_actual),
            ("residuals.png", plots.residuals),
        ):
            save(
                file,
                draw(y_part, predicted, target_name=target),
                caption=f"On the {part} part. " + FIGURE_CAPTIONS[file][1],
            )
    if classifier and data.dataset.n_features == 2:
        X_all = np.concatenate([p[0] for p in parts.values()])
        y_all = np.concatenate([p[1] for p in parts.values()])
        save(
            "decision_regions.png",
            plots.decision_regions(
                getattr(model, "predict_proba", model.predict),
                X_all,
                y_all,
                feature_names=data.dataset.feature_names,
                feature_units=[u or None for u in data.dataset.feature_units],
                class_names=names,
            ),
            caption="Every example (training, validation and test) over the class the "
            "network predicts at each point of the input plane.",
        )
    image_shape = data.image_shape
    if image_shape is not None and networks is None and len(model.network_.layer_sizes) > 2:
        save("hidden_units.png", plots.hidden_unit_images(model.network_, image_shape))
    if image_shape is not None and classifier:
        save(
            "misclassified.png",
            plots.misclassified_examples(X_part, y_part, model.predict(X_part), image_shape),
            caption=f"Images of the {part} part the network got wrong (true and predicted "
            "class above each).",
        )
    return figures
