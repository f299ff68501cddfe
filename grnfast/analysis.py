"""What a fitted model has learned: layer representations, their effective rank,
and structured pruning of hidden neurons."""
from numbers import Real

import numpy as np

from .errors import GRNInputError


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
    network = model.network_
    rows = network.genes.rows(X)
    out = {}
    named = network.named_parameters()
    if "embedding" in named:
        out["embedding"] = named["embedding"].copy()
    out.update(network.layer_outputs(rows))
    return out


def neuron_importance(model, X):
    """Importance of every hidden neuron: how often it is active on the pairs X
    times the norm of its incoming weights. Returns {layer name: scores}."""
    layers = representations(model, X)
    network = model.network_
    named = network.named_parameters()
    scores = {}
    for stack in network.hidden_layers():
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
    if isinstance(fraction, bool) or not isinstance(fraction, Real) or not 0.0 <= fraction < 1.0:
        raise GRNInputError(f"fraction must be a number in [0, 1); got {fraction!r}")
    network = model.network_
    importance = neuron_importance(model, X)
    stacks = network.hidden_layers()
    keep_count = [max(1, int(round(h * (1.0 - fraction)))) for h in network.spec["hidden"][: len(stacks[0])]]
    keep = {}
    for stack in stacks:
        for name, k in zip(stack, keep_count):
            keep[name] = np.sort(np.argsort(-importance[name], kind="stable")[:k])
    return model.with_network(network.pruned(keep))
