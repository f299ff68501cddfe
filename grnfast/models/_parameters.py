"""Initial values and named views of a model's flat parameter vector.

The C++ engine owns the layout (which group sits where, with what shape); this
module fills it the way PyTorch's defaults would and gives names back to users.
"""
import numpy as np


def initial_parameters(layout, rng, embedding_init="normal"):
    """Return ``(params, buffers)`` as float32 arrays for a layout from ``_core.layout``.

    Embeddings ~ N(0, 1), or 0 with ``embedding_init="zeros"`` (drawn all the same, so
    the other groups start as they would); the unknown-gene row: 0; weights (the
    feature skip's too) and biases ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)); gene biases 0; batch-norm
    scale 1 and shift 0; running mean 0 and running variance 1.
    """
    params = np.empty(layout["n_params"], dtype=np.float32)
    fan_in = 1
    for group in layout["params"]:
        view = params[group["offset"] : group["offset"] + group["size"]]
        kind = group["kind"]
        if kind == "embedding":
            view[:] = rng.standard_normal(group["size"]) * (embedding_init == "normal")
        elif kind in ("weight", "bias", "skip_weight"):
            if kind != "bias":
                fan_in = group["shape"][0]
            bound = 1.0 / np.sqrt(fan_in)
            view[:] = rng.uniform(-bound, bound, group["size"])
        elif kind == "gene_bias":  # no propensity until training gives one (a gene it never saw keeps 0)
            view[:] = 0.0
        elif kind == "unknown_embedding":  # starts as no identity at all; drawn from nothing, so the
            view[:] = 0.0                   # other parameters start as they would without it
        elif kind == "bn_scale":
            view[:] = 1.0
        elif kind == "bn_shift":
            view[:] = 0.0
        else:
            raise ValueError(f"unknown parameter kind {kind!r}")
    buffers = np.empty(layout["n_buffers"], dtype=np.float32)
    for group in layout["buffers"]:
        fill = 1.0 if group["kind"] == "running_var" else 0.0
        buffers[group["offset"] : group["offset"] + group["size"]] = fill
    return params, buffers


def named_views(flat, groups):
    """Dict of group name -> array view of ``flat`` with the group's shape."""
    return {g["name"]: flat[g["offset"] : g["offset"] + g["size"]].reshape(g["shape"]) for g in groups}
