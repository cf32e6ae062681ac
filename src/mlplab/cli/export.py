"""``mlplab export``: a saved model as an ONNX graph."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ._common import count, data_errors, refuse_overwriting_inputs


@click.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.option(
    "--onnx",
    "onnx_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .onnx file to write.",
)
@click.option("--opset", type=count(), default=None, help="ONNX opset (default 17).")
def export(model_path: Path, onnx_path: Path, opset: int | None) -> None:
    """Export a saved model to ONNX, to run it without Python or mlplab.

    The graph takes the raw features as input "X" (float, shape (N, n_features)) and
    gives "label" and "probabilities" for a classifier, "predictions" for a regressor.

    \b
    Examples:
      mlplab export mlplab-run/model.safetensors --onnx digits.onnx
    """
    refuse_overwriting_inputs(onnx_path, "--onnx", the_model=model_path)
    with data_errors():
        from .. import load
        from ..export import export_onnx

        model = load(model_path)
        try:
            export_onnx(model, onnx_path, opset=opset)
        except ImportError as error:
            raise ValueError(str(error)) from None
    size = os.path.getsize(onnx_path)
    click.echo(f"wrote {os.fspath(onnx_path)} ({size:,} bytes)")
