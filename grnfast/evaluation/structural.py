"""Structural node features: how many known edges each gene has, counted over the
training positives only.

On the BEELINE benchmarks degree alone reaches AUROC 0.80-0.92, so a model that
cannot see degree has to rediscover it from expression. Giving it the degrees
as extra node features lets it learn what the degree baseline knows and then
try to beat it. Counting over anything but the training positives (test edges,
validation edges) would leak labels into the inputs; these functions see only
the pairs and labels they are given.
"""
import numpy as np
import pandas as pd

from ..genes import GeneTable, check_binary_labels, check_node_features

DEGREE_COLUMNS = ("out_degree", "in_degree")


def _gene_index(genes):
    """``(index, gene_names, n_genes)`` of a gene list or a gene count."""
    if isinstance(genes, (int, np.integer)):
        if genes < 1:
            raise ValueError(f"genes must be a positive number of genes or a list of names; got {genes!r}")
        return pd.RangeIndex(int(genes)), None, int(genes)
    names = np.asarray(pd.Index(genes).astype(str), dtype=object)
    if len(names) == 0 or pd.Index(names).has_duplicates:
        raise ValueError("genes must be a non-empty list of distinct gene names")
    return pd.Index(names), names, len(names)


def degree_counts(positive_pairs, n_genes):
    """Regulator out-degree and target in-degree of an edge list.

    Parameters
    ----------
    positive_pairs : ndarray of shape (n_edges, 2), int
        Known (regulator, target) edges as gene indices.
    n_genes : int
        Size of the gene table; genes without edges get 0.

    Returns
    -------
    out_degree, in_degree : ndarray of shape (n_genes,), int64
    """
    positive_pairs = np.asarray(positive_pairs, dtype=np.int64).reshape(-1, 2)
    out_degree = np.bincount(positive_pairs[:, 0], minlength=n_genes)
    in_degree = np.bincount(positive_pairs[:, 1], minlength=n_genes)
    return out_degree, in_degree


def degree_features(train_pairs, train_labels, genes, *, log=False, normalize=False):
    """Per-gene out- and in-degree over the training positives.

    Parameters
    ----------
    train_pairs : array-like of shape (n, 2) or DataFrame
        Training (regulator, target) pairs: integer indices into ``genes`` or
        gene names.
    train_labels : array-like of shape (n,)
        Binary labels; only pairs with the larger label (the edges) are counted.
    genes : int or sequence of str
        The gene table: a number of genes (indices ``0..genes-1``) or the gene
        names in table order, for example ``node_features.index``.
    log : bool, default=False
        Return ``log1p(degree)``; degree distributions are heavy-tailed.
    normalize : bool, default=False
        Divide each column by its maximum so it lies in [0, 1] (after ``log``).

    Returns
    -------
    DataFrame of shape (n_genes, 2)
        Columns ``out_degree`` and ``in_degree``, indexed like ``genes``; ready
        to be joined onto ``node_features``.
    """
    index, names, n_genes = _gene_index(genes)
    pairs = GeneTable(names, n_genes).rows(train_pairs, "train_pairs")
    _, y01 = check_binary_labels(train_labels, pairs.shape[0])
    degrees = np.column_stack(degree_counts(pairs[y01 == 1], n_genes)).astype(np.float64)
    if log:
        degrees = np.log1p(degrees)
    if normalize:
        peak = degrees.max(axis=0)
        degrees = degrees / np.where(peak > 0, peak, 1.0)
    return pd.DataFrame(degrees, index=index, columns=list(DEGREE_COLUMNS))


def add_degree_features(node_features, train_pairs, train_labels, *, log=True, normalize=False):
    """Append training-positive degrees to node features.

    Parameters
    ----------
    node_features : DataFrame or array-like of shape (n_genes, d)
        The per-gene inputs of a model.
    train_pairs, train_labels
        Training pairs and labels, as for :func:`degree_features`.
    log, normalize : bool
        As for :func:`degree_features`; ``log`` defaults to True here because
        models train better on log-scaled counts.

    Returns
    -------
    DataFrame or ndarray of shape (n_genes, d + 2)
        Same kind as ``node_features``: a DataFrame gains the columns
        ``out_degree`` and ``in_degree``; an array gains two last columns.
    """
    names, values = check_node_features(node_features)
    if values is None:
        raise ValueError("node_features is None; use degree_features to get the degrees alone")
    genes = names if names is not None else values.shape[0]
    degrees = degree_features(train_pairs, train_labels, genes, log=log, normalize=normalize)
    if isinstance(node_features, pd.DataFrame):
        clash = [c for c in DEGREE_COLUMNS if c in node_features.columns]
        if clash:
            raise ValueError(f"node_features already has columns {clash}; degrees were added before")
        return pd.concat([node_features, degrees.set_axis(node_features.index)], axis=1)
    return np.hstack([values, degrees.to_numpy()])
