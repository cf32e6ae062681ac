"""Export a network or a fitted estimator to ONNX, to run it without Python or mlplab.

The graph is the lecture's forward propagation written with ONNX operators. Each layer
z⁽ˡ⁺¹⁾ = θ⁽ˡ⁾ [1; a⁽ˡ⁾] is one ``Gemm`` on a batch of rows, ``Z = A Wᵀ + b`` with
``transB=1``, W = θ⁽ˡ⁾[:, 1:] and b = θ⁽ˡ⁾[:, 0], followed by the hidden activation f
(``Sigmoid``, ``Tanh``, ``Relu``, ``Identity``) or, for the last layer, the output
(``Sigmoid``, ``Softmax``, ``Identity``). Everything runs in the model's dtype
(float32 or float64), like the model itself; the input is float32 unless
``input_dtype="float64"`` is asked for, and a ``Cast`` to the model's dtype comes first
where the two differ. A scikit-learn ``Pipeline`` of scalers and imputers before the
estimator becomes their operations before the first ``Gemm`` (see :mod:`mlplab.pipelines`).

Inputs and outputs of the exported graph:

==================  =============================================================
``X``               float32 (N, n_features) by default; float64 with
                    ``input_dtype="float64"``
``output``          Network: h_θ(X) = a⁽ᴸ⁾, shape (N, n_out)
``predictions``     MLPRegressor: shape (N, n_outputs) (``predict`` ravels one
                    output to (N,))
``probabilities``   MLPClassifier: ``predict_proba``, shape (N, K); two classes
                    give the two columns (1 − p, p) from the one sigmoid unit
``label``           MLPClassifier: ``predict``, the class labels themselves
                    (int64, float, bool or string tensors, as ``classes_``), shape
                    (N,); a multi-label model gives the 0/1 indicator (N, K) int64
``decision``        MLPClassifier with ``multiclass="ovo"`` (instead of
                    probabilities): ``decision_function``, votes plus scaled
                    confidences, shape (N, K), float64
==================  =============================================================

The labels are looked up with a ``Gather`` on a constant tensor of the classes (a string
tensor for string labels; onnxruntime gathers strings on the CPU). One-vs-rest and
one-vs-one classifiers become one graph holding all their binary networks, with
scikit-learn's combination rules (normalized confidences; votes with tie-breaking
confidences) written as tensor operations.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from . import pipelines
from ._version import __version__
from .fileformat import atomic_write_bytes
from .network import Network
from .persistence import registered_estimator

__all__ = ["DEFAULT_OPSET", "MIN_OPSET", "export_onnx", "newest_opset"]

#: The opset used unless another is asked for: widely supported by ONNX runtimes.
DEFAULT_OPSET = 17
#: The oldest opset the graph is valid for (ReduceSum with axes as an input, Softmax on one axis).
MIN_OPSET = 13

#: ONNX operator of each hidden activation and output layer, by the registries' names.
HIDDEN_OPS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "identity": "Identity"}
OUTPUT_OPS = {"sigmoid": "Sigmoid", "softmax": "Softmax", "identity": "Identity", "exp": "Exp"}


def export_onnx(
    model,
    path: str | os.PathLike | None = None,
    *,
    opset: int | None = None,
    input_dtype="float32",
):
    """Build the ONNX graph of a network or a fitted estimator; write it if ``path`` is given.

    Parameters
    ----------
    model : Network, MLPClassifier, MLPRegressor or Pipeline
        A network, a fitted estimator (classifiers with any multiclass strategy), or a
        fitted scikit-learn ``Pipeline`` of scalers and imputers followed by an estimator
        (see :mod:`mlplab.pipelines`).
    path : str or path-like, optional
        Where to write the ``.onnx`` file (atomically: an existing file is replaced only
        by a complete new one).
    opset : int, optional
        ONNX opset of the default domain, from ``MIN_OPSET`` (13) to the newest the
        installed ``onnx`` knows; default ``DEFAULT_OPSET`` (17).
    input_dtype : {"float32", "float64"}, default "float32"
        The element type of the input ``X``. float32 is what ONNX consumers usually
        send; a model of the other dtype gets a ``Cast`` to its own dtype as the first
        node, so the graph computes in the model's dtype either way. Choose "float64"
        to feed a float64 model its inputs without rounding.

    Returns
    -------
    onnx.ModelProto
        Checked with ``onnx.checker.check_model`` (with shape inference). Run it with,
        e.g., ``onnxruntime.InferenceSession(model.SerializeToString(),
        providers=["CPUExecutionProvider"]).run(None, {"X": X})``.

    Raises
    ------
    NotFittedError
        An estimator that has not been fitted.
    ValueError
        Non-finite weights, an unsupported opset, labels that ONNX cannot hold.
    TypeError
        Not an mlplab model.
    """
    try:
        import onnx
    except ImportError as error:  # pragma: no cover - the optional dependency is missing
        raise ImportError(
            "export_onnx needs the onnx package; install it with: pip install 'mlplab[onnx]'"
        ) from error

    opset = _check_opset(opset, onnx)
    graph = _Graph(onnx, _check_input_dtype(input_dtype))
    if isinstance(model, Network):
        _check_finite([model])
        x = graph.input("X", model.dtype, model.layer_sizes[0])
        graph.output(_forward(graph, model, x, "net"), "output", model.dtype, model.layer_sizes[-1])
        properties = {"model_type": "Network"}
    elif pipelines.is_pipeline(model):
        estimator, add_steps = pipelines.onnx_steps(model)
        properties = _estimator_graph(graph, estimator, add_steps)
        properties["pipeline"] = json.dumps([name for name, _ in model.steps])
    else:
        properties = _estimator_graph(graph, model)
    proto = graph.model(opset, properties)
    onnx.checker.check_model(proto, full_check=True)
    if path is not None:
        atomic_write_bytes(path, proto.SerializeToString())
    return proto


# ---------------------------------------------------------------------- estimators
def _estimator_graph(graph: _Graph, model, add_steps=None) -> dict[str, str]:
    """Add an estimator's inputs, networks and outputs to ``graph``; return its properties.

    ``add_steps(graph, x, dtype)``, if given, adds a pipeline's steps before the networks.
    """
    cls = registered_estimator(model, "export_onnx")
    state = model.get_state()  # NotFittedError before fit
    if "network" in state:
        networks = [state["network"]]
    else:
        networks = [sub["network"] for sub in state["multiclass"]["estimators"]]
    _check_finite(networks)
    dtype = networks[0].dtype
    properties = {"model_type": type(model).__name__}
    if state["feature_names"] is not None:
        properties["feature_names"] = json.dumps(state["feature_names"])
    x = graph.input("X", dtype, int(state["n_features_in"]))
    if add_steps is not None:
        x = add_steps(graph, x, dtype)

    if not cls.is_classifier_state:
        network = state["network"]
        graph.output(
            _forward(graph, network, x, "net"), "predictions", dtype, network.layer_sizes[-1]
        )
        return properties

    classes = np.asarray(state["classes"])
    properties["classes"] = json.dumps(classes.tolist())
    if "network" in state:
        _native_classifier(graph, state["network"], state["target_type"], x, classes)
        properties["multiclass"] = "native"
        return properties
    outputs = [_forward(graph, network, x, f"net{k}") for k, network in enumerate(networks)]
    # Column k: p_k, the k-th binary network's probability of its positive class.
    confidences = graph.node("Concat", outputs, axis=1, name="confidences")
    strategy = state["multiclass"]["strategy"]
    if strategy == "ovr":
        _ovr_classifier(graph, state["target_type"], confidences, classes, dtype)
    else:
        _ovo_classifier(graph, confidences, classes, dtype)
    properties["multiclass"] = strategy
    return properties


def _native_classifier(
    graph: _Graph, network: Network, target_type: str, x: str, classes: np.ndarray
) -> None:
    """probabilities and label of a one-network classifier, as ``predict_proba``/``predict``."""
    dtype = network.dtype
    h = _forward(graph, network, x, "net")
    n_outputs = network.layer_sizes[-1]
    if n_outputs == 1:  # two classes (or one): a single sigmoid unit p
        one = graph.constant(np.ones((1, 1), dtype=dtype), "one")
        complement = graph.node("Sub", [one, h], name="one_minus_p")
        graph.output(
            graph.node("Concat", [complement, h], axis=1, name="binary_probabilities"),
            "probabilities",
            dtype,
            2,
        )
        # predict: classes[p > 0.5]; one class is stored twice so either index finds it
        above = graph.node("Greater", [h, _half(graph, dtype)])
        index = graph.node("Cast", [above], to=graph.onnx.TensorProto.INT64)
        index = graph.node(
            "Reshape", [index, graph.constant(np.array([-1], dtype=np.int64), "flat")]
        )
        padded = classes if len(classes) == 2 else np.repeat(classes, 2)
        _label_output(graph, padded, index)
        return
    if target_type == "multilabel-indicator":
        graph.output(graph.node("Identity", [h]), "probabilities", dtype, n_outputs)
        _indicator_output(graph, h, dtype, n_outputs)
        return
    if network.output == "softmax":
        probabilities = graph.node("Identity", [h])
    else:
        # K sigmoid units do not sum to one; predict_proba normalizes them per row
        # (a row whose units all underflowed to 0 gets 1/K for every class).
        probabilities = _normalize_rows(graph, h, dtype, zero_rows=1.0 / n_outputs)
    graph.output(probabilities, "probabilities", dtype, n_outputs)
    # predict: the class of the largest output (the first one on ties, like numpy)
    _label_output(graph, classes, graph.node("ArgMax", [h], axis=1, keepdims=0))


def _ovr_classifier(graph: _Graph, target_type: str, confidences: str, classes, dtype) -> None:
    """One-vs-rest: normalized confidences, the most confident class wins."""
    n_classes = len(classes)
    if target_type.startswith("multilabel"):
        graph.output(graph.node("Identity", [confidences]), "probabilities", dtype, n_classes)
        _indicator_output(graph, confidences, dtype, n_classes)
        return
    # scikit-learn divides by the row sum where it is not zero and leaves zero rows as 0.
    graph.output(
        _normalize_rows(graph, confidences, dtype, zero_rows=0.0),
        "probabilities",
        dtype,
        n_classes,
    )
    _label_output(graph, classes, graph.node("ArgMax", [confidences], axis=1, keepdims=0))


def _ovo_classifier(graph: _Graph, confidences: str, classes, dtype) -> None:
    """One-vs-one: scikit-learn's decision_function, votes + confidences / (3(|Σ| + 1)).

    Network k of the pair (i, j), i < j, votes for j if p_k > 0.5, else for i; its
    confidence p_k is added to class j and subtracted from class i. With the pair matrices
    V1[k, j] = 1, V0[k, i] = 1 and C = V1 − V0 this is
    votes = [p > 0.5] V1 + [p ≤ 0.5] V0 and S = p C; the decision is
    votes + S / (3 (|S| + 1)), computed in float64 as scikit-learn does.
    """
    n_classes = len(classes)
    pairs = [(i, j) for i in range(n_classes) for j in range(i + 1, n_classes)]
    for_first = np.zeros((len(pairs), n_classes))
    for_second = np.zeros((len(pairs), n_classes))
    for k, (i, j) in enumerate(pairs):
        for_first[k, i] = 1.0
        for_second[k, j] = 1.0
    tensor = graph.onnx.TensorProto
    p = graph.node("Cast", [confidences], to=tensor.DOUBLE, name="p64")
    above = graph.node(
        "Cast", [graph.node("Greater", [confidences, _half(graph, dtype)])], to=tensor.DOUBLE
    )
    one = graph.constant(np.ones((1, 1)), "one_float64")
    below = graph.node("Sub", [one, above])
    votes = graph.node(
        "Add",
        [
            graph.node("MatMul", [above, graph.constant(for_second, "votes_for_second")]),
            graph.node("MatMul", [below, graph.constant(for_first, "votes_for_first")]),
        ],
        name="votes",
    )
    sums = graph.node("MatMul", [p, graph.constant(for_second - for_first, "confidence_signs")])
    scale = graph.node(
        "Mul",
        [
            graph.constant(np.full((1, 1), 3.0), "three"),
            graph.node("Add", [graph.node("Abs", [sums]), one]),
        ],
    )
    decision = graph.node("Add", [votes, graph.node("Div", [sums, scale])], name="decision_values")
    graph.output(graph.node("Identity", [decision]), "decision", np.float64, n_classes)
    _label_output(graph, classes, graph.node("ArgMax", [decision], axis=1, keepdims=0))


def _half(graph: _Graph, dtype) -> str:
    """The constant 0.5 of shape (1, 1) in ``dtype``."""
    return graph.constant(np.full((1, 1), 0.5, dtype=dtype), f"half_{np.dtype(dtype).name}")


def _normalize_rows(graph: _Graph, values: str, dtype, *, zero_rows: float) -> str:
    """values / Σ_row values; rows summing to 0 become ``zero_rows`` everywhere."""
    totals = graph.node(
        "ReduceSum",
        [values, graph.constant(np.array([1], dtype=np.int64), "axis_1")],
        keepdims=1,
        name="row_sums",
    )
    zero = graph.constant(np.zeros((1, 1), dtype=dtype), "zero")
    divided = graph.node("Div", [values, totals])
    fill = graph.constant(np.full((1, 1), zero_rows, dtype=dtype), "zero_row_value")
    # Probabilities are >= 0, so "sum > 0" is "sum != 0"; Where drops the 0/0 of such rows.
    positive = graph.node("Greater", [totals, zero])
    return graph.node("Where", [positive, divided, fill], name="normalized")


def _indicator_output(graph: _Graph, probabilities: str, dtype, n_labels: int) -> None:
    """Multi-label ``predict``: 1 where a label's probability exceeds 0.5, as int64."""
    above = graph.node("Greater", [probabilities, _half(graph, dtype)])
    label = graph.node("Cast", [above], to=graph.onnx.TensorProto.INT64)
    graph.output(label, "label", np.int64, n_labels)


def _label_output(graph: _Graph, classes: np.ndarray, index: str) -> None:
    """The output ``label`` = classes[index], a Gather on a constant of the classes."""
    kind = classes.dtype.kind
    if kind in "US" or (kind == "O" and all(isinstance(c, str) for c in classes.tolist())):
        table = np.array([str(c) for c in classes.tolist()], dtype=object)
    elif kind in "iu":
        if kind == "u" and classes.max() > np.iinfo(np.int64).max:
            raise ValueError("cannot export class labels above the int64 range")
        table = classes.astype(np.int64)
    elif kind in "fb":
        table = classes
    else:
        raise ValueError(
            f"cannot export class labels of dtype {classes.dtype}; ONNX labels can be "
            "strings, integers, floats or booleans"
        )
    label = graph.node("Gather", [graph.constant(table, "classes"), index], axis=0)
    graph.output(label, "label", table.dtype, None)


# ---------------------------------------------------------------------- networks
def _forward(graph: _Graph, network: Network, x: str, prefix: str) -> str:
    """Forward propagation of one network: Gemm then f per layer; return a⁽ᴸ⁾'s name."""
    a = x
    last = len(network.thetas) - 1
    for layer, theta in enumerate(network.thetas):
        w = graph.constant(np.ascontiguousarray(theta[:, 1:]), f"{prefix}_W{layer + 1}")
        b = graph.constant(np.ascontiguousarray(theta[:, 0]), f"{prefix}_b{layer + 1}")
        z = graph.node("Gemm", [a, w, b], transB=1, name=f"{prefix}_z{layer + 2}")
        if layer < last:
            a = graph.node(HIDDEN_OPS[network.activation], [z], name=f"{prefix}_a{layer + 2}")
        else:
            attributes = {"axis": 1} if network.output == "softmax" else {}
            a = graph.node(OUTPUT_OPS[network.output], [z], name=f"{prefix}_h", **attributes)
    return a


def _check_finite(networks: list[Network]) -> None:
    """Refuse NaN or infinite weights: the exported graph would compute garbage."""
    for k, network in enumerate(networks):
        if not np.isfinite(network.theta).all():
            which = "the network" if len(networks) == 1 else f"network {k}"
            raise ValueError(
                f"cannot export: the weights of {which} hold NaN or infinity (did training "
                "diverge?); retrain it, e.g. with a smaller learning rate"
            )


def newest_opset() -> int:
    """The newest opset of the installed onnx package (read at run time, never hard-coded).

    Raises
    ------
    ImportError
        If onnx is not installed.
    """
    import onnx

    return int(onnx.defs.onnx_opset_version())


def _check_opset(opset, onnx) -> int:
    """The opset as an int between MIN_OPSET and the newest the onnx package knows."""
    newest = newest_opset()
    if opset is None:
        return min(DEFAULT_OPSET, newest)
    if isinstance(opset, bool) or not isinstance(opset, (int, np.integer)):
        raise ValueError(f"opset must be an integer, got {opset!r}")
    if not MIN_OPSET <= opset <= newest:
        raise ValueError(
            f"opset must be between {MIN_OPSET} and {newest} (the newest the installed onnx "
            f"knows), got {opset}"
        )
    return int(opset)


class _Graph:
    """Collects nodes, constants, inputs and outputs with unique names, then makes a model."""

    def __init__(self, onnx, input_dtype: np.dtype) -> None:
        self.onnx = onnx
        self.input_dtype = input_dtype
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.inputs: list[Any] = []
        self.outputs: list[Any] = []
        self._names: set[str] = set()

    def _unique(self, name: str) -> str:
        """``name``, or ``name_2``, ``name_3``, ... if it is taken."""
        candidate, counter = name, 1
        while candidate in self._names:
            counter += 1
            candidate = f"{name}_{counter}"
        self._names.add(candidate)
        return candidate

    def input(self, name: str, dtype, n_features: int) -> str:
        """Declare the input (N, n_features); return it as a tensor of the model's ``dtype``."""
        self._names.add(name)
        self.inputs.append(
            self.onnx.helper.make_tensor_value_info(
                name, _elem_type(self.onnx, self.input_dtype), ["N", n_features]
            )
        )
        if np.dtype(dtype) == self.input_dtype:
            return name
        return self.node("Cast", [name], to=_elem_type(self.onnx, dtype), name=f"{name}_cast")

    def constant(self, array: np.ndarray, name: str) -> str:
        """Add an initializer (a constant tensor); return its name."""
        name = self._unique(name)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def node(self, op: str, inputs: list[str], *, name: str | None = None, **attributes) -> str:
        """Add one node with one output; return the output's name."""
        output = self._unique(name or op.lower())
        self.nodes.append(
            self.onnx.helper.make_node(op, inputs, [output], name=f"{output}_node", **attributes)
        )
        return output

    def output(self, value: str, name: str, dtype, width: int | None) -> None:
        """Expose ``value`` as the graph output ``name``, of shape (N, width) or (N,)."""
        self.nodes.append(
            self.onnx.helper.make_node("Identity", [value], [name], name=f"{name}_node")
        )
        self._names.add(name)
        shape = ["N"] if width is None else ["N", width]
        self.outputs.append(
            self.onnx.helper.make_tensor_value_info(name, _elem_type(self.onnx, dtype), shape)
        )

    def model(self, opset: int, properties: dict[str, str]):
        """The checked-to-be ModelProto of everything added."""
        helper = self.onnx.helper
        graph = helper.make_graph(
            self.nodes, "mlplab", self.inputs, self.outputs, initializer=self.initializers
        )
        opsets = [helper.make_opsetid("", opset)]
        model = helper.make_model(
            graph,
            opset_imports=opsets,
            producer_name="mlplab",
            producer_version=__version__,
            doc_string=f"mlplab {properties['model_type']}: feed-forward network, X -> "
            + ", ".join(output.name for output in self.outputs),
        )
        # The oldest IR version that carries this opset, so older runtimes load it too.
        model.ir_version = helper.find_min_ir_version_for(opsets)
        helper.set_model_props(model, properties)
        return model


def _check_input_dtype(input_dtype) -> np.dtype:
    """``input_dtype`` as float32 or float64, or a ValueError naming the choices."""
    try:
        dtype = None if input_dtype is None else np.dtype(input_dtype)  # None means float64
    except TypeError:
        dtype = None
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"input_dtype must be 'float32' or 'float64', got {input_dtype!r}")
    return dtype


def _elem_type(onnx, dtype) -> int:
    """The ONNX element type of a numpy dtype (object means strings)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "O":
        return onnx.TensorProto.STRING
    return onnx.helper.np_dtype_to_tensor_dtype(dtype)
