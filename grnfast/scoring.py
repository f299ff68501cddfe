"""Genome-wide scoring: every regulator x target pair of a fitted model, ranked.

The engine scores a block of regulators against all targets at once (two-tower:
precomputed tower outputs and one matrix product; cross-encoder: the first layer
split into per-gene parts plus one product per regulator), so memory stays at one
block of scores plus what is kept: the top ``top_k`` targets per regulator, or,
without ``top_k``, one float32 per pair for the global ranking.

``EdgeWeight`` is the model's probability of an edge (its ``predict_proba``), each
model on its own scale (one may never exceed 0.1 where another reaches 0.95 on
the same pairs); ``grnfast infer`` writes probabilities calibrated on validation
pairs instead, which compare across models (:mod:`grnfast.pipeline.calibration`). Rows
are ranked by the log-odds (``weight="logit"`` gives those instead), which keep
their order where a probability rounds to 1.0 in float64 (log-odds above ~37).

:func:`write_edge_list` writes a ranked list in the column names other tools
read (:data:`FORMATS`), as CSV, TSV or parquet by the file's extension.
"""
from numbers import Integral

import numpy as np
import pandas as pd

from scipy.special import expit

from .atomic import written_atomically
from .errors import GRNInputError
from .progress import Progress

EDGE_COLUMNS = ["Gene1", "Gene2", "EdgeWeight"]
# Column names by output format: BEELINE's (grnfast's own), pySCENIC's adjacencies
# (arboreto/GRNBoost2; importance must be non-negative) and decoupler's network.
FORMATS = {
    "grnfast": EDGE_COLUMNS,
    "scenic": ["TF", "target", "importance"],
    "decoupler": ["source", "target", "weight"],
}
# A signed list's extra columns by format: {edge-list column: written name}.
SIGN_COLUMNS = {
    "grnfast": {"sign": "sign", "sign_source": "sign_source"},
    "scenic": {"sign": "regulation", "sign_source": "sign_source"},
    "decoupler": {"sign_source": "sign_source"},
}
# Targets kept per regulator by default on the command line (a genome-wide list of
# every pair is ~20 million rows per model; ``--top-k all`` asks for it).
DEFAULT_TOP_K = 100
# File types by extension: the separator of a text file (gzip by ".gz"), None for parquet.
SUFFIXES = {".csv": ",", ".csv.gz": ",", ".tsv": "\t", ".tsv.gz": "\t", ".parquet": None}
WEIGHTS = ("probability", "logit")


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


def kept_edges(model, regs, tgts, *, top_k=None, exclude_self=True, block_size=64, on_block=None):
    """``(regulator rows, target rows, logits)`` kept from scoring the regulator
    rows ``regs`` against the target rows ``tgts``: the ``top_k`` best targets of
    each regulator, or every pair; self-loops left out with ``exclude_self``. The
    unit of work :func:`rank_edges` runs locally or on a Dask worker; it gives the
    same arrays wherever it runs (the engine's scores do not depend on the block or
    thread that computes them). ``on_block(n_regulators)`` is called per block."""
    network = model.network_
    reg_parts, tgt_parts, logit_parts = [np.empty(0, np.int64)], [np.empty(0, np.int64)], [np.empty(0, np.float32)]
    for regs, tgts, logits in network.score_blocks(regs, tgts, int(block_size)):
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
        logit_parts.append(logits[rows[kept], cols[kept]])
        if on_block is not None:
            on_block(len(regs))
    return np.concatenate(reg_parts), np.concatenate(tgt_parts), np.concatenate(logit_parts)


def _on_cluster(client, model, regs, tgts, options, bar, tasks_per_worker=4):
    """:func:`kept_edges` of chunks of regulators as tasks on a Dask cluster, the
    fitted model sent once to every worker; the parts in regulator order."""
    from dask.distributed import as_completed

    n_workers = max(1, len(client.scheduler_info().get("workers", {})))
    n_chunks = max(1, min(len(regs), n_workers * tasks_per_worker))
    chunks = np.array_split(regs, n_chunks)
    shared = client.scatter(model, broadcast=True)
    futures = [client.submit(kept_edges, shared, chunk, tgts, pure=False, **options) for chunk in chunks]
    position = {future.key: i for i, future in enumerate(futures)}
    parts = [None] * len(futures)
    for future in as_completed(futures):
        parts[position[future.key]] = future.result()
        bar.update(len(chunks[position[future.key]]))
    return tuple(np.concatenate([part[i] for part in parts]) for i in range(3))


def rank_edges(model, regulators=None, targets=None, *, top_k=None, exclude_self=True, block_size=64,
               weight="probability", progress=None, client=None):
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
    weight : {"probability", "logit"}, default="probability"
        ``EdgeWeight`` as the model's edge probability (0-1, on the model's own
        scale: :mod:`grnfast.pipeline.calibration` makes it comparable) or its log-odds.
    progress : str, optional
        Show a bar (a closing line off a terminal) with this name while scoring.
    client : dask.distributed.Client, optional
        Score chunks of regulators as tasks on this Dask cluster (the fitted model
        is sent to every worker once); the result is identical to a local run.

    Returns
    -------
    DataFrame sorted by the log-odds, highest first (ties broken by regulator then
    target order, so the ranking is deterministic).

    Raises
    ------
    FloatingPointError
        When the model gives any pair a non-finite score (it is never dropped silently).
    """
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, Integral) or top_k < 1):
        raise GRNInputError(f"top_k must be a positive integer; got {top_k!r}")
    if weight not in WEIGHTS:
        raise GRNInputError(f"weight must be one of {', '.join(WEIGHTS)}; got {weight!r}")
    if isinstance(block_size, bool) or not isinstance(block_size, Integral) or block_size < 1:
        raise GRNInputError(f"block_size must be a positive integer (regulators per block); got {block_size!r}")
    network = model.network_
    regs = network.genes.gene_rows(regulators, "regulators")
    tgts = network.genes.gene_rows(targets, "targets")
    options = {"top_k": top_k, "exclude_self": exclude_self, "block_size": int(block_size)}
    with Progress(len(regs), progress, "regulators", enabled=progress is not None) as bar:
        if client is None:
            reg, tgt, logit = kept_edges(model, regs, tgts, **options, on_block=bar.update)
        else:
            reg, tgt, logit = _on_cluster(client, model, regs, tgts, options, bar)
        bar.close(f"{len(reg)} edges kept" + (" (on the Dask cluster)" if client is not None else ""))
    logit = logit.astype(np.float64)
    order = np.lexsort((tgt, reg, -logit))
    return pd.DataFrame(
        {
            "Gene1": network.genes.labels(reg[order]),
            "Gene2": network.genes.labels(tgt[order]),
            "EdgeWeight": expit(logit[order]) if weight == "probability" else logit[order],
        }
    )


def file_type(path):
    """The extension of ``path`` that decides how an edge list is written (a key of
    :data:`SUFFIXES`), or a GRNInputError naming the path and the extensions known."""
    name = str(path).lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    raise GRNInputError(f"{path}: cannot tell the file type; end the name in one of {', '.join(SUFFIXES)}")


def check_parquet_writer():
    """A GRNInputError saying what to install when pandas has no parquet engine."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        try:
            import fastparquet  # noqa: F401
        except ImportError:
            raise GRNInputError("writing .parquet needs pyarrow: pip install 'grnfast[parquet]' "
                                "(or write .csv / .tsv)") from None


def as_format(edges, format="grnfast"):
    """A ranked edge list (Gene1, Gene2, EdgeWeight[, sign, sign_source]) with the
    column names of ``format`` (a key of :data:`FORMATS`).

    A signed list (:func:`grnfast.data.signs.signed_edges`) keeps its sign in the
    columns :data:`SIGN_COLUMNS` name: decoupler's ``weight`` becomes sign x weight
    (its convention: the sign is the mode of regulation); pySCENIC's
    ``importance`` stays non-negative, the sign beside it as ``regulation``, the
    name of pySCENIC's own column (pySCENIC reads extra columns and recomputes
    its own ``regulation`` from the expression)."""
    if format not in FORMATS:
        raise GRNInputError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    missing = [c for c in EDGE_COLUMNS if c not in edges.columns]
    if missing:
        raise GRNInputError(f"edge list is missing columns {missing}")
    if format == "scenic" and (edges.EdgeWeight < 0).any():
        raise GRNInputError("pySCENIC's importance must be non-negative: rank with weight='probability'")
    table = edges[EDGE_COLUMNS].set_axis(FORMATS[format], axis=1)
    if "sign" not in edges.columns:
        return table
    if format == "decoupler":
        table["weight"] = edges["sign"].to_numpy() * edges["EdgeWeight"].to_numpy()
    for column, name in SIGN_COLUMNS[format].items():
        table[name] = edges[column].to_numpy()
    return table


def write_edge_list(edges, path, format="grnfast", chunk_rows=1_000_000):
    """Write a ranked edge list in the columns of ``format`` (:data:`FORMATS`: grnfast
    ``Gene1,Gene2,EdgeWeight``; scenic ``TF,target,importance``; decoupler
    ``source,target,weight``) as CSV (``.csv``, ``.csv.gz``), TSV (``.tsv``,
    ``.tsv.gz``) or parquet (``.parquet``, needs pyarrow), by ``path``'s extension.
    Text files are written in chunks of ``chunk_rows`` rows. The file appears only
    when complete (:func:`grnfast.atomic.written_atomically`)."""
    suffix = file_type(path)
    table = as_format(edges, format)
    if SUFFIXES[suffix] is None:
        check_parquet_writer()
    with written_atomically(path) as partial:
        if SUFFIXES[suffix] is None:
            table.to_parquet(partial, index=False)
        else:
            for start in range(0, max(len(table), 1), chunk_rows):
                table.iloc[start : start + chunk_rows].to_csv(
                    partial, sep=SUFFIXES[suffix], mode="w" if start == 0 else "a", header=start == 0, index=False
                )
