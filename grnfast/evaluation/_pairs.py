"""Pairs of the baselines and the structural features as indices into a gene table.

Checking the gene table, the pairs and the labels is shared with the estimators
(:mod:`grnfast.genes`); this module only adds the one case the
evaluation code has on top: a gene table that may be absent, in which case the
genes are learnt from the training pairs.
"""
import numpy as np

from ..genes import check_in_range, names_to_indices, pairs_as_names_or_indices


def fit_pairs(X, gene_names, n_genes):
    """Resolve training pairs and fix the gene table.

    Parameters
    ----------
    X : array-like of shape (n, 2) or DataFrame
        Integer gene indices or gene names.
    gene_names : ndarray or None
        Names from :func:`grnfast.genes.check_node_features`.
    n_genes : int or None
        Rows of the gene table; ``None`` when there is no table, and then the
        genes are those named in X (sorted) or indices ``0..max(X)``.

    Returns
    -------
    pairs : ndarray of shape (n, 2), int64
    gene_names : ndarray or None
    n_genes : int
    """
    kind, pairs = pairs_as_names_or_indices(X)
    if n_genes is None:
        if kind == "names":
            gene_names = np.unique(pairs).astype(object)
            return names_to_indices(pairs, gene_names), gene_names, len(gene_names)
        return pairs, None, int(pairs.max()) + 1
    return _indices(kind, pairs, gene_names, n_genes), gene_names, n_genes


def resolve_pairs(X, gene_names, n_genes):
    """Pairs X as int64 row indices into a fixed gene table of ``n_genes`` genes."""
    return _indices(*pairs_as_names_or_indices(X), gene_names, n_genes)


def _indices(kind, pairs, gene_names, n_genes):
    if kind == "names":
        if gene_names is None:
            raise ValueError(
                "X holds gene names but the gene table has none; pass node_features as a DataFrame "
                "indexed by gene name, or X as integer indices"
            )
        return names_to_indices(pairs, gene_names)
    return check_in_range(pairs, n_genes)
