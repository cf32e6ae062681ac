"""``mlplab export``: a saved model as an ONNX graph."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ._common import data_errors, refuse_overwriting_inputs


class Opset(click.ParamType):
    """An ONNX opset from the oldest the graph needs to the newest the installed onnx knows.

    The range is read when the option is given (onnx is imported then, not for --help).
    """

    name = "N"

    def convert(self, value, param, ctx):
        from ..export import MIN_OPSET, newest_opset

        try:
            number = int(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not an integer", param, ctx)
        try:
            newest = newest_opset()
        except ImportError:
            self.fail("exporting needs the onnx package: pip install onnx", param, ctx)
        if not MIN_OPSET <= number <= newest:
            self.fail(
                f"{number} is not an opset this export can write: choose {MIN_OPSET} to "
                f"{newest} (the newest the installed onnx knows)",
                param,
                ctx,
            )
        return number


@click.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.option(
    "--onnx",
    "onnx_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .onnx file to write.",
)
@click.option(
    "--opset",
    type=Opset(),
    default=None,
    help="ONNX opset: from the oldest the graph needs to the newest the installed onnx "
    "knows (an invalid one is refused with the range).",
)
@click.option(
    "--input-dtype",
    type=click.Choice(["float32", "float64"]),
    default="float32",
    show_default=True,
    help="The type of the input X; the graph casts it to the model's dtype if they differ.",
)
def export(model_path: Path, onnx_path: Path, opset: int | None, input_dtype: str) -> None:
    """Export a saved model to ONNX, to run it without Python or mlplab.

    The graph takes the raw features as input "X" (float32, shape (N, n_features)) and
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
            export_onnx(model, onnx_path, opset=opset, input_dtype=input_dtype)
        except ImportError as error:
            raise ValueError(str(error)) from None
    size = os.path.getsize(onnx_path)
    click.echo(f"wrote {os.fspath(onnx_path)} ({size:,} bytes)")
