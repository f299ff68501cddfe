"""Genome-wide scoring: every regulator x target pair of a fitted model, ranked.

The engine scores a block of regulators against all targets at once (two-tower:
precomputed tower outputs and one matrix product; cross-encoder: the first layer
split into per-gene parts plus one product per regulator), so memory stays at one
block of scores plus what is kept: the top ``top_k`` targets per regulator, or,
without ``top_k``, one float32 per pair for the global ranking.

``EdgeWeight`` is the model's log-odds of an edge (its ``decision_function``): it
ranks exactly like the probability ``1 / (1 + exp(-w))`` but does not saturate at
1.0 for confident pairs.
"""
from numbers import Integral

import numpy as np
import pandas as pd

from .errors import GRNInputError

EDGE_COLUMNS = ["Gene1", "Gene2", "EdgeWeight"]


def iter_score_blocks(model, regulators=None, targets=None, *, block_size=64):
    """Yield ``(regulator_indices, target_indices, logits)`` blocks, logits of shape
    (len(regulator block), n_targets), covering every regulator x target pair.

    Works for any fitted model with a ``network_`` (a
    :class:`~grnfast.SeedEnsembleClassifier` gives the log-odds of its members'
    mean probability)."""
    if isinstance(block_size, bool) or not isinstance(block_size, Integral) or block_size < 1:
        raise GRNInputError(f"block_size must be a positive integer (regulators per block); got {block_size!r}")
    network = model.network_
    regs = network.genes.gene_rows(regulators, "regulators")
    tgts = network.genes.gene_rows(targets, "targets")
    yield from network.score_blocks(regs, tgts, int(block_size))


def rank_edges(model, regulators=None, targets=None, *, top_k=None, exclude_self=True, block_size=64):
    """Every regulator x target pair as a ranked edge list (Gene1, Gene2, EdgeWeight).

    Parameters
    ----------
    model : fitted TwoTowerClassifier, CrossEncoderClassifier or SeedEnsembleClassifier
    regulators, targets : list of gene names or indices, optional
        Default: every gene of the model's gene table.
    top_k : int, optional
        Keep the ``top_k`` highest-scoring targets of each regulator (memory per
        regulator instead of per pair).
    exclude_self : bool, default=True
        Leave out self-loops (a gene regulating itself).
    block_size : int, default=64
        Regulators scored at once.

    Returns
    -------
    DataFrame sorted by EdgeWeight, highest first (ties broken by regulator then
    target order, so the ranking is deterministic).

    Raises
    ------
    FloatingPointError
        When the model gives any pair a non-finite score (it is never dropped silently).
    """
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, Integral) or top_k < 1):
        raise GRNInputError(f"top_k must be a positive integer; got {top_k!r}")
    network = model.network_
    reg_parts, tgt_parts, weight_parts = [], [], []
    for regs, tgts, logits in iter_score_blocks(model, regulators, targets, block_size=block_size):
        bad = ~np.isfinite(logits)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise FloatingPointError(
                f"the model gives {int(bad.sum())} non-finite scores in this block of regulators, e.g. "
                f"{network.genes.labels(regs[[row]])[0]!r} -> {network.genes.labels(tgts[[col]])[0]!r}: "
                f"{logits[row, col]}; the model is broken (refit it)"
            )
        keep = np.ones(logits.shape, dtype=bool)
        if exclude_self:
            logits = logits.copy()
            keep = regs[:, None] != tgts[None, :]
            logits[~keep] = -np.inf
        if top_k is not None and top_k < len(tgts):
            cols = np.argpartition(-logits, top_k - 1, axis=1)[:, :top_k]
            rows = np.repeat(np.arange(len(regs)), top_k)
            cols = cols.ravel()
        else:
            rows, cols = np.divmod(np.arange(logits.size), logits.shape[1])
        kept = keep[rows, cols]
        reg_parts.append(regs[rows[kept]])
        tgt_parts.append(tgts[cols[kept]])
        weight_parts.append(logits[rows[kept], cols[kept]])
    reg = np.concatenate(reg_parts)
    tgt = np.concatenate(tgt_parts)
    weight = np.concatenate(weight_parts)
    order = np.lexsort((tgt, reg, -weight.astype(np.float64)))
    return pd.DataFrame(
        {
            "Gene1": network.genes.labels(reg[order]),
            "Gene2": network.genes.labels(tgt[order]),
            "EdgeWeight": weight[order].astype(np.float64),
        }
    )


def write_edge_list(edges, path, chunk_rows=1_000_000):
    """Write a ranked edge list as CSV (``Gene1,Gene2,EdgeWeight``), in chunks."""
    missing = [c for c in EDGE_COLUMNS if c not in edges.columns]
    if missing:
        raise ValueError(f"edge list is missing columns {missing}")
    for start in range(0, max(len(edges), 1), chunk_rows):
        edges.iloc[start : start + chunk_rows][EDGE_COLUMNS].to_csv(
            path, mode="w" if start == 0 else "a", header=start == 0, index=False
        )
