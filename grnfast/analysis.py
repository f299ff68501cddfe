"""What a fitted model has learned: layer representations, their effective rank,
and structured pruning of hidden neurons."""
import numpy as np
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from . import _core
from .genes import effective_threads


def effective_rank(matrix):
    """exp of the entropy of the normalised singular values (Roy & Vetterli, 2007).

    1 for a rank-one matrix, min(shape) when all singular values are equal; a
    smooth count of the dimensions a representation really uses.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2 or min(matrix.shape) == 0:
        raise ValueError(f"effective_rank needs a non-empty 2-D matrix; got shape {matrix.shape}")
    s = np.linalg.svd(matrix, compute_uv=False)
    if s.sum() == 0:
        return 0.0
    p = s[s > 0] / s.sum()
    return float(np.exp(-np.sum(p * np.log(p))))


def representations(model, X):
    """The model's representations: ``"embedding"`` (one row per gene of the gene
    table, when the model has embeddings) and every layer's output for the pairs X
    (evaluation mode), by layer name, e.g. ``"head.0"`` or ``"regulator_tower.1"``."""
    check_is_fitted(model, "params_")
    pairs = model._pairs(X)
    out = {}
    named = model.named_parameters()
    if "embedding" in named:
        out["embedding"] = named["embedding"].copy()
    spec = model._make_spec(model.spec_)
    layers = _core.layer_outputs(spec, model.params_, model.buffers_, model.node_features_, pairs,
                                 effective_threads(model.n_jobs))
    out.update(layers)
    return out


def _hidden_layers(model):
    """Names of the prunable layers: every activated (hidden) layer of each MLP."""
    prefixes = ["head."] if model.spec_["kind"] == "cross_encoder" else ["regulator_tower.", "target_tower."]
    n_hidden = len(model.spec_["hidden"]) - (1 if model.spec_["kind"] == "two_tower" else 0)
    return [[f"{p}{l}" for l in range(n_hidden)] for p in prefixes]


def neuron_importance(model, X):
    """Importance of every hidden neuron: how often it is active on the pairs X
    times the norm of its incoming weights. Returns {layer name: scores}."""
    layers = representations(model, X)
    named = model.named_parameters()
    scores = {}
    for stack in _hidden_layers(model):
        for name in stack:
            frequency = (layers[name] > 0).mean(axis=0)
            scores[name] = frequency * np.linalg.norm(named[f"{name}.weight"], axis=0)
    return scores


def prune(model, fraction, X):
    """A copy of a fitted model with ``fraction`` of the neurons of every hidden
    layer removed (the least important, see :func:`neuron_importance`).

    The copy is a fitted estimator with smaller ``hidden_layer_sizes``; fine-tune it
    with ``pruned.set_params(warm_start=True, max_iter=k).fit(X, y)``.
    """
    check_is_fitted(model, "params_")
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"fraction must be in [0, 1); got {fraction!r}")
    importance = neuron_importance(model, X)
    stacks = _hidden_layers(model)
    hidden = list(model.spec_["hidden"])
    keep_count = [max(1, int(round(h * (1.0 - fraction)))) for h in hidden[: len(stacks[0])]]
    keep = {}
    for stack in stacks:
        for name, k in zip(stack, keep_count):
            keep[name] = np.sort(np.argsort(-importance[name], kind="stable")[:k])

    pruned = clone(model).set_params(hidden_layer_sizes=tuple(keep_count + hidden[len(keep_count):]))
    for attr, value in vars(model).items():
        if attr.endswith("_") and not attr.startswith("_"):
            setattr(pruned, attr, value)
    pruned.spec_ = {**model.spec_, "hidden": list(pruned.hidden_layer_sizes)}
    layout = _core.layout(pruned._make_spec(pruned.spec_))
    old_params, old_buffers = model.named_parameters(), {
        g["name"]: model.buffers_[g["offset"] : g["offset"] + g["size"]] for g in model.buffer_groups_
    }
    params = np.empty(layout["n_params"], dtype=np.float32)
    buffers = np.empty(layout["n_buffers"], dtype=np.float32)
    for groups, flat, source in ((layout["params"], params, old_params), (layout["buffers"], buffers, old_buffers)):
        for g in groups:
            value = source[g["name"]]
            layer = g["name"].rsplit(".", 1)[0]
            if g["kind"] == "weight":
                previous = _previous_layer(layer)
                if previous in keep:
                    value = value[keep[previous], :]
                if layer in keep:
                    value = value[:, keep[layer]]
            elif g["kind"] != "embedding" and layer in keep:
                value = value[keep[layer]]
            flat[g["offset"] : g["offset"] + g["size"]] = np.asarray(value, dtype=np.float32).reshape(-1)
    pruned.params_, pruned.buffers_ = params, buffers
    pruned.param_groups_, pruned.buffer_groups_ = layout["params"], layout["buffers"]
    pruned.n_parameters_ = int(layout["n_params"])
    return pruned


def _previous_layer(layer):
    prefix, index = layer.rsplit(".", 1)
    return f"{prefix}.{int(index) - 1}" if int(index) > 0 else None
