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
import numpy as np
import pandas as pd
from scipy.special import expit, logit
from sklearn.utils.validation import check_is_fitted

from . import _core
from .genes import GeneTable, effective_threads

EDGE_COLUMNS = ["Gene1", "Gene2", "EdgeWeight"]


def iter_score_blocks(model, regulators=None, targets=None, *, block_size=64):
    """Yield ``(regulator_indices, target_indices, logits)`` blocks, logits of shape
    (len(regulator block), n_targets), covering every regulator x target pair.

    A :class:`~grnfast.SeedEnsembleClassifier` gives the log-odds of its members'
    mean probability."""
    if hasattr(model, "estimators_"):
        members = [iter_score_blocks(m, regulators, targets, block_size=block_size) for m in model.estimators_]
        for blocks in zip(*members):
            mean = np.mean([expit(logits) for _, _, logits in blocks], axis=0)
            yield blocks[0][0], blocks[0][1], logit(np.clip(mean, 1e-15, 1 - 1e-15)).astype(np.float32)
        return
    check_is_fitted(model, "params_")
    model._check_fitted_gene_table()
    table = GeneTable(model.genes_, model.n_genes_)
    regs = table.gene_rows(regulators, "regulators")
    tgts = table.gene_rows(targets, "targets")
    spec = model._make_spec(model.spec_)
    n_threads = effective_threads(model.n_jobs)
    state = (spec, model.params_, model.buffers_, model.node_features_)
    if spec.kind == "two_tower":  # tower outputs once per gene, then one product per block
        u = _core.tower_outputs(*state, regs, 0, n_threads)
        v = _core.tower_outputs(*state, tgts, 1, n_threads)
        for start in range(0, len(regs), block_size):
            yield regs[start : start + block_size], tgts, _core.tower_scores(spec, u[start : start + block_size], v,
                                                                             n_threads)
        return
    for start in range(0, len(regs), block_size):
        block = regs[start : start + block_size]
        yield block, tgts, _core.score_grid(*state, block, tgts, n_threads)


def rank_edges(model, regulators=None, targets=None, *, top_k=None, exclude_self=True, block_size=64):
    """Every regulator x target pair as a ranked edge list (Gene1, Gene2, EdgeWeight).

    Parameters
    ----------
    model : fitted TwoTowerClassifier or CrossEncoderClassifier
    regulators, targets : list of gene names or indices, optional
        Default: every gene of the model's gene table.
    top_k : int, optional
        Keep the ``top_k`` highest-scoring targets of each regulator (memory per
        regulator instead of per pair).
    exclude_self : bool, default=True
        Leave out self-loops (a gene regulating itself).

    Returns
    -------
    DataFrame sorted by EdgeWeight, highest first (ties broken by regulator then
    target order, so the ranking is deterministic).
    """
    if top_k is not None and (int(top_k) != top_k or top_k < 1):
        raise ValueError(f"top_k must be a positive integer; got {top_k!r}")
    reg_parts, tgt_parts, weight_parts = [], [], []
    for regs, tgts, logits in iter_score_blocks(model, regulators, targets, block_size=block_size):
        if exclude_self:
            logits = logits.copy()
            logits[regs[:, None] == tgts[None, :]] = -np.inf
        if top_k is not None and top_k < len(tgts):
            cols = np.argpartition(-logits, top_k - 1, axis=1)[:, :top_k]
            rows = np.repeat(np.arange(len(regs)), top_k)
            cols = cols.ravel()
        else:
            rows, cols = np.divmod(np.arange(logits.size), logits.shape[1])
        weights = logits[rows, cols]
        keep = np.isfinite(weights)
        reg_parts.append(regs[rows[keep]])
        tgt_parts.append(tgts[cols[keep]])
        weight_parts.append(weights[keep])
    reg = np.concatenate(reg_parts)
    tgt = np.concatenate(tgt_parts)
    weight = np.concatenate(weight_parts)
    order = np.lexsort((tgt, reg, -weight.astype(np.float64)))
    return pd.DataFrame(
        {
            "Gene1": GeneTable(model.genes_, model.n_genes_).labels(reg[order]),
            "Gene2": GeneTable(model.genes_, model.n_genes_).labels(tgt[order]),
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
