"""Input resolution shared by the baselines and the structural features.

A gene table is the ``node_features`` parameter (a DataFrame indexed by gene name,
or an ``(n_genes, d)`` array whose rows are genes 0..n_genes-1), or nothing, in
which case the genes are learnt from the training pairs. Pairs are an ``(n, 2)``
array of integer row indices into the gene table or a two-column DataFrame of
gene names. Every problem raises an exception that names the input.
"""
import numbers

import numpy as np
import pandas as pd
import scipy.sparse
from sklearn.utils.multiclass import type_of_target


def gene_table(node_features, name="node_features"):
    """Return ``(gene_names, values)`` of a per-gene table.

    Parameters
    ----------
    node_features : DataFrame, array-like of shape (n_genes, d) or None
        Per-gene numbers; a DataFrame's index holds the gene names.
    name : str
        How the table is called in error messages.

    Returns
    -------
    gene_names : ndarray of str objects or None
        ``None`` for arrays: genes are then row numbers.
    values : ndarray of shape (n_genes, d), float64, or None
        ``None`` when ``node_features`` is ``None``.
    """
    if node_features is None:
        return None, None
    names = None
    if isinstance(node_features, pd.DataFrame):
        if node_features.index.has_duplicates:
            duplicated = node_features.index[node_features.index.duplicated()].unique()[:5].tolist()
            raise ValueError(f"{name} has duplicated gene names in its index: {duplicated}")
        names = np.asarray(node_features.index.astype(str), dtype=object)
        node_features = node_features.to_numpy()
    try:
        values = np.asarray(node_features, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if values.ndim != 2 or values.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D table (n_genes, n_features); got shape {values.shape}")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return names, values


def _raw_pairs(X):
    """X as ('names', object array) or ('indices', int64 array), shape (n, 2).

    Integer-valued floats are accepted as indices (pandas turns integer columns
    into floats easily); messages follow scikit-learn's wording where it has one.
    """
    if scipy.sparse.issparse(X):
        raise TypeError("sparse input is not supported: X must be (n_pairs, 2) gene indices or gene names")
    values = X.to_numpy() if isinstance(X, pd.DataFrame) else np.asarray(X)
    if values.ndim != 2:
        raise ValueError(f"X must be 2-D, one (regulator, target) pair per row; got shape {values.shape}")
    if values.shape[1] < 2:
        raise ValueError(
            f"X has {values.shape[1]} feature(s) (shape={values.shape}) while a minimum of 2 is required: "
            "one (regulator, target) pair per row"
        )
    if values.shape[1] > 2:
        raise ValueError(
            f"X has {values.shape[1]} feature(s) (shape={values.shape}); it must have exactly 2: "
            "one (regulator, target) pair per row"
        )
    if values.shape[0] == 0:
        raise ValueError("X contains no pairs (0 rows)")
    if values.dtype.kind in "OUS" and not all(isinstance(v, (numbers.Integral, float)) for v in values.ravel()):
        return "names", values.astype(str).astype(object)
    if values.dtype.kind == "c":
        raise ValueError("Complex data not supported: X must hold integer gene indices or gene names")
    if values.dtype.kind not in "iufO":
        raise ValueError(f"X must hold integer gene indices or gene names; got dtype {values.dtype}")
    values = values.astype(np.float64) if values.dtype.kind in "fO" else values
    if values.dtype.kind == "f":
        if not np.isfinite(values).all():
            raise ValueError("X contains NaN or infinite values; it must hold integer gene indices")
        if not np.array_equal(values, np.round(values)):
            raise ValueError("X must hold integer gene indices; it contains non-integer values")
    indices = values.astype(np.int64)
    if (indices < 0).any():
        row = int(np.argwhere(indices < 0)[0][0])
        raise ValueError(f"Negative values in data passed to X: gene indices must be >= 0 (row {row} is {indices[row].tolist()})")
    return "indices", indices


def _indices_of_names(names, gene_names):
    codes = pd.Index(gene_names).get_indexer(names.ravel()).reshape(names.shape)
    if (codes < 0).any():
        unknown = pd.unique(names[codes < 0])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise ValueError(f"X names genes that are not in the gene table: {list(unknown[:5])}{more}")
    return codes.astype(np.int64)


def _in_range(indices, n_genes):
    if indices.max() >= n_genes:
        row = int(np.argwhere(indices >= n_genes)[0][0])
        raise ValueError(
            f"X contains gene index {indices[row].tolist()} in row {row}, out of range for a gene table of {n_genes} genes"
        )
    return indices


def fit_pairs(X, gene_names, n_genes):
    """Resolve training pairs and fix the gene table.

    Parameters
    ----------
    X : array-like of shape (n, 2) or DataFrame
        Integer gene indices or gene names.
    gene_names : ndarray or None
        Names from :func:`gene_table`.
    n_genes : int or None
        Rows of the gene table; ``None`` when there is no table, and then the
        genes are those named in X (sorted) or indices ``0..max(X)``.

    Returns
    -------
    pairs : ndarray of shape (n, 2), int64
    gene_names : ndarray or None
    n_genes : int
    """
    kind, pairs = _raw_pairs(X)
    if n_genes is None:
        if kind == "names":
            gene_names = np.unique(pairs).astype(object)
            return _indices_of_names(pairs, gene_names), gene_names, len(gene_names)
        return pairs, None, int(pairs.max()) + 1
    return resolve_pairs(X, gene_names, n_genes), gene_names, n_genes


def resolve_pairs(X, gene_names, n_genes):
    """Pairs X as int64 row indices into a fixed gene table of ``n_genes`` genes."""
    kind, pairs = _raw_pairs(X)
    if kind == "names":
        if gene_names is None:
            raise ValueError(
                "X holds gene names but the gene table has none; pass node_features as a DataFrame "
                "indexed by gene name, or X as integer indices"
            )
        return _indices_of_names(pairs, gene_names)
    return _in_range(pairs, n_genes)


def binary_labels(y, n_pairs):
    """Return ``(classes, is_positive)``; the positive class is ``classes[1]``."""
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1 or y.shape[0] != n_pairs:
        raise ValueError(f"y must be 1-D with one label per pair ({n_pairs}); got shape {y.shape}")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError("y contains NaN or infinite values")
    kind = type_of_target(y, input_name="y")
    classes = np.unique(y)
    if len(classes) == 1:
        raise ValueError(f"y has only one class ({classes[0]!r}); fitting needs positive and negative pairs")
    if kind != "binary":
        raise ValueError(f"Only binary classification is supported (edge / no edge); the type of the target is {kind}")
    return classes, y == classes[1]
