"""The gene table and the checks of what refers to it: node features, pairs of
genes (names or row indices), labels and thread counts. Shared by the estimators,
the evaluation baselines and scoring.

Every check raises an exception that names the input and the problem, before
anything reaches the C++ engine (which checks indices again before trusting them).
"""
import numbers

import numpy as np
import pandas as pd
import scipy.sparse
from sklearn.utils.multiclass import type_of_target

from .errors import GRNInputError


class GeneIndexError(GRNInputError, IndexError):
    """A gene index outside the gene table (catchable as IndexError or ValueError)."""


def check_node_features(node_features, name="node_features"):
    """Return ``(gene_names, matrix)`` from the ``node_features`` parameter.

    ``gene_names`` is an object array of names when ``node_features`` is a
    DataFrame and ``None`` for an array (genes are then row numbers); ``matrix`` is
    float64 of shape ``(n_genes, n_features)``. ``None`` gives ``(None, None)``.
    ``name`` is how the table is called in error messages (another per-gene
    table, such as a baseline's ``expression``, is checked the same way).
    """
    if node_features is None:
        return None, None
    names = None
    if isinstance(node_features, pd.DataFrame):
        if node_features.index.has_duplicates:
            dup = node_features.index[node_features.index.duplicated()].unique()[:5].tolist()
            raise ValueError(f"{name} has duplicated gene names in its index: {dup}")
        non_numeric = [c for c in node_features.columns if not pd.api.types.is_numeric_dtype(node_features[c])]
        if non_numeric:
            raise ValueError(f"{name} has non-numeric columns: {non_numeric[:5]}")
        names = np.asarray(node_features.index.astype(str), dtype=object)
        values = node_features.to_numpy(dtype=np.float64)
    else:
        try:
            values = np.asarray(node_features, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be numeric: {exc}") from None
    if values.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_genes, n_features); got shape {values.shape}")
    if values.shape[0] == 0:
        raise ValueError(f"{name} has no genes (0 rows)")
    bad = ~np.isfinite(values)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        gene = names[row] if names is not None else int(row)
        raise ValueError(f"{name} contains NaN or infinite values ({int(bad.sum())} entries; first at gene {gene!r}, column {col})")
    return names, values


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_name_array(values):
    """Strings, or an object array holding anything but plain numbers.

    An object array of numbers (as ``np.asarray`` gives for mixed int/float
    lists) holds gene indices, as a DataFrame with numeric columns does.
    """
    if values.dtype.kind in "US":
        return True
    return values.dtype == object and not all(_is_number(v) for v in values.ravel())


def pairs_as_names_or_indices(X):
    """Split X into ('names', (n, 2) object array) or ('indices', (n, 2) int64 array)."""
    if scipy.sparse.issparse(X):
        raise TypeError("X is a sparse matrix; sparse input is not supported: pass (n_pairs, 2) gene indices or names")
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 2:
            raise ValueError(f"X must have exactly 2 columns (regulator, target); got {X.shape[1]}")
        values = X.to_numpy()
        if all(pd.api.types.is_numeric_dtype(X[c]) for c in X.columns):
            values = values.astype(np.float64) if values.dtype == object else values
        else:
            values = X.astype(str).to_numpy(dtype=object)
    else:
        values = np.asarray(X)
    if values.ndim != 2:
        raise ValueError(f"X must be 2-D with shape (n_pairs, 2), one (regulator, target) pair per row; got shape {values.shape}")
    if values.shape[1] < 2:
        raise ValueError(
            f"X has {values.shape[1]} feature(s) (shape={values.shape}) while a minimum of 2 is required: "
            "it must have shape (n_pairs, 2), one (regulator, target) pair per row"
        )
    if values.shape[1] > 2:
        raise ValueError(
            f"X has {values.shape[1]} columns (shape={values.shape}); it must have exactly 2, one (regulator, target) pair per row"
        )
    if values.shape[0] == 0:
        raise ValueError("X contains no pairs (0 rows)")
    if _is_name_array(values):
        return "names", values.astype(str).astype(object)
    if values.dtype == object:
        values = values.astype(np.float64)
    if values.dtype.kind == "c":
        raise ValueError("Complex data not supported: X must hold integer gene indices or gene names")
    if values.dtype.kind == "b" or values.dtype.kind not in "iuf":
        raise ValueError(f"X must hold integer gene indices or gene names; got dtype {values.dtype}")
    if values.dtype.kind == "f":
        if not np.isfinite(values).all():
            raise ValueError("X contains NaN or infinite values; it must hold integer gene indices")
        if not np.array_equal(values, np.round(values)):
            raise ValueError("X must hold integer gene indices; it contains non-integer values")
    indices = values.astype(np.int64)
    if (indices < 0).any():
        row = int(np.argwhere(indices < 0)[0][0])
        raise GeneIndexError(
            f"Negative values in data passed to X: gene indices must be >= 0 (row {row} is {indices[row].tolist()})"
        )
    return "indices", indices


def names_to_indices(names, gene_names):
    """Map an (n, 2) array of gene names to row indices of ``gene_names``."""
    index = pd.Index(gene_names)
    codes = index.get_indexer(names.ravel()).reshape(names.shape)
    if (codes < 0).any():
        unknown = pd.unique(names[codes < 0])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise ValueError(f"unknown genes in X, not in the gene table: {list(unknown[:5])}{more}")
    return codes.astype(np.int64)


def check_in_range(indices, n_genes):
    """Return the (n, 2) non-negative ``indices``; GeneIndexError names the first one >= ``n_genes``."""
    if indices.size and indices.max() >= n_genes:
        row, col = np.argwhere(indices >= n_genes)[0]
        raise GeneIndexError(
            f"X contains gene index {int(indices[row, col])} in row {row} ({indices[row].tolist()}), "
            f"out of range for a gene table of {n_genes} genes (valid indices: 0..{n_genes - 1})"
        )
    return indices


def check_binary_labels(y, n_pairs):
    """Return ``(classes, y01)``: the two labels and y as float32 zeros and ones."""
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D; got shape {y.shape}")
    if y.shape[0] != n_pairs:
        raise ValueError(f"X has {n_pairs} pairs but y has {y.shape[0]} labels")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError("y contains NaN or infinite values")
    kind = type_of_target(y, input_name="y")
    classes = np.unique(y)
    if len(classes) == 1:
        raise ValueError(
            f"y has only one class ({classes[0].tolist()!r}): training needs both positive and negative pairs"
        )
    if kind != "binary":
        raise ValueError(
            f"Only binary classification is supported. The type of the target is {kind}; y must mark edge / no edge."
        )
    return classes, (y == classes[1]).astype(np.float32)


def usable_cores():
    """How many CPUs this process may run on (its affinity mask where the OS has one)."""
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def effective_threads(n_jobs):
    """OpenMP threads for ``n_jobs``: None means OMP_NUM_THREADS if set, else every
    usable core; negative counts from the cores (-1: all). Never more than the
    usable cores: more threads would only wait on each other (and n_jobs=1000 would
    start 1000 threads)."""
    import os

    cores = usable_cores()
    if n_jobs is None:
        env = os.environ.get("OMP_NUM_THREADS", "")
        threads = max(1, int(env)) if env.isdigit() else cores
    elif not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a non-zero integer or None; got {n_jobs!r}")
    else:
        threads = int(n_jobs) if n_jobs > 0 else max(1, cores + 1 + int(n_jobs))
    return min(threads, cores)
