"""The gene table and the checks of what refers to it: node features, pairs of
genes (names or row indices), labels and thread counts. Shared by the estimators,
the evaluation baselines and scoring.

The rule for ``X``: text (strings) is gene names, looked up in the gene table's
names; integers are row indices into the gene table. A DataFrame of integers is
read as row indices only where the gene table has no names (``node_features``
an array, or none and the model fitted on indices); where it has names, the
integers could be gene IDs or rows, and the DataFrame is refused with a message
saying how to give either.

Every check raises an exception that names the input and the problem, before
anything reaches the C++ engine (which checks indices again before trusting them).
"""
import numbers

import numpy as np
import pandas as pd
import scipy.sparse
from sklearn.utils.multiclass import type_of_target

from .errors import GRNInputError


# Larger row indices cannot be a gene table's (and would wrap around in int64).
MAX_INDEX = 2**62


class GeneIndexError(GRNInputError, IndexError):
    """A gene index outside the gene table (catchable as IndexError or ValueError)."""


def gene_frame_problem(frame):
    """What is wrong with a DataFrame of numbers indexed by gene name (duplicated
    names, non-numeric columns), or ``None``."""
    if frame.index.has_duplicates:
        return f"duplicated gene names {frame.index[frame.index.duplicated()].unique()[:5].tolist()}"
    non_numeric = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if non_numeric:
        return f"non-numeric columns {non_numeric[:5]}"
    return None


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
    if scipy.sparse.issparse(node_features):
        raise GRNInputError(f"{name} is a sparse matrix; pass a dense array or DataFrame of shape (n_genes, n_features)")
    if isinstance(node_features, pd.DataFrame):
        problem = gene_frame_problem(node_features)
        if problem:
            raise GRNInputError(f"{name}: {problem}")
        names = np.asarray(node_features.index.astype(str), dtype=object)
        values = node_features.to_numpy(dtype=np.float64)
    else:
        try:
            values = np.asarray(node_features, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise GRNInputError(f"{name} must be numeric: {exc}") from None
    if values.ndim != 2:
        raise GRNInputError(f"{name} must be 2-D (n_genes, n_features); got shape {values.shape}")
    if values.shape[0] == 0:
        raise GRNInputError(f"{name} has no genes (0 rows)")
    bad = ~np.isfinite(values)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        gene = names[row] if names is not None else int(row)
        raise GRNInputError(f"{name} contains NaN or infinite values ({int(bad.sum())} entries; first at gene {gene!r}, column {col})")
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
    """Split X into ('names', (n, 2) object array) or ('indices', (n, 2) int64 array);
    a DataFrame of integers gives ('frame indices', int64 array)."""
    if scipy.sparse.issparse(X):
        raise TypeError("X is a sparse matrix; sparse input is not supported: pass (n_pairs, 2) gene indices or names")
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 2:
            raise GRNInputError(f"X must have exactly 2 columns (regulator, target); got {X.shape[1]}")
        missing = X.isna().to_numpy().any(axis=1)
        if missing.any():
            raise GRNInputError(f"X has missing values in {int(missing.sum())} rows, first row {int(np.argmax(missing))}")
        if all(pd.api.types.is_numeric_dtype(X[c]) for c in X.columns):
            kind, pairs = pairs_as_names_or_indices(X.to_numpy())
            return ("frame indices" if kind == "indices" else kind), pairs
        values = X.astype(str).to_numpy(dtype=object)
    else:
        values = np.asarray(X)
    if values.ndim != 2:
        raise GRNInputError(f"X must be 2-D with shape (n_pairs, 2), one (regulator, target) pair per row; got shape {values.shape}")
    if values.shape[1] < 2:
        raise GRNInputError(
            f"X has {values.shape[1]} feature(s) (shape={values.shape}) while a minimum of 2 is required: "
            "it must have shape (n_pairs, 2), one (regulator, target) pair per row"
        )
    if values.shape[1] > 2:
        raise GRNInputError(
            f"X has {values.shape[1]} columns (shape={values.shape}); it must have exactly 2, one (regulator, target) pair per row"
        )
    if values.shape[0] == 0:
        raise GRNInputError("X contains no pairs (0 rows)")
    if _is_name_array(values):
        return "names", values.astype(str).astype(object)
    if values.dtype == object:
        values = values.astype(np.float64)
    if values.dtype.kind == "c":
        raise GRNInputError("Complex data not supported: X must hold integer gene indices or gene names")
    if values.dtype.kind == "b" or values.dtype.kind not in "iuf":
        raise GRNInputError(f"X must hold integer gene indices or gene names; got dtype {values.dtype}")
    if values.dtype.kind == "f":
        if not np.isfinite(values).all():
            raise GRNInputError("X contains NaN or infinite values; it must hold integer gene indices")
        if not np.array_equal(values, np.round(values)):
            raise GRNInputError("X must hold integer gene indices; it contains non-integer values")
    if values.dtype.kind in "uf" and (values > MAX_INDEX).any():
        row = int(np.argwhere(values > MAX_INDEX)[0][0])
        largest = int(values[row].max()) if values.dtype.kind == "u" else f"{values[row].max():.4g}"
        raise GeneIndexError(f"X contains gene index {largest} in row {row}, beyond any gene table (at most {MAX_INDEX})")
    indices = values.astype(np.int64)
    if (indices < 0).any():
        row = int(np.argwhere(indices < 0)[0][0])
        raise GeneIndexError(
            f"Negative values in data passed to X: gene indices must be >= 0 (row {row} is {indices[row].tolist()})"
        )
    return "indices", indices


def names_to_indices(names, gene_names, what="X"):
    """Map an (n, 2) array of gene names to row indices of ``gene_names``."""
    index = pd.Index(gene_names)
    codes = index.get_indexer(names.ravel()).reshape(names.shape)
    if (codes < 0).any():
        unknown = pd.unique(names[codes < 0])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise GRNInputError(f"unknown genes in {what}, not in the gene table: {list(unknown[:5])}{more}")
    return codes.astype(np.int64)


class GeneTable:
    """The genes that pairs refer to: how many, their names (``None``: genes are
    known by row number only) and their node features (``None`` without).

    ``rows(X)`` turns pairs into row indices by the module's rule for ``X``;
    an unknown name or an index out of range is an error that names it.
    """

    def __init__(self, names=None, n_genes=None, features=None):
        self.names = names
        self.n_genes = len(names) if n_genes is None and names is not None else n_genes
        self.features = features

    @classmethod
    def from_node_features(cls, node_features, name="node_features"):
        """The table of a ``node_features`` parameter (empty for ``None``), checked."""
        names, values = check_node_features(node_features, name)
        return cls(names, None if values is None else values.shape[0], values)

    def fit(self, X):
        """``(table, rows)`` for training pairs X. A table without genes takes them
        from X: the names it holds (sorted), or row indices ``0..max(X)``."""
        kind, pairs = pairs_as_names_or_indices(X)
        if self.n_genes is not None:
            return self, self._rows(kind, pairs, "X")
        if kind == "names":
            names = np.unique(pairs).astype(object)
            return GeneTable(names), names_to_indices(pairs, names)
        return GeneTable(None, int(pairs.max()) + 1), pairs  # indices, from an array or a DataFrame

    def rows(self, X, what="X"):
        """Pairs X as (n, 2) int64 row indices into this table."""
        return self._rows(*pairs_as_names_or_indices(X), what)

    def gene_rows(self, genes, what):
        """A list of gene names or row indices as 1-D rows; every gene for ``None``."""
        if genes is None:
            return np.arange(self.n_genes, dtype=np.int64)
        values = np.asarray(list(genes))
        if values.ndim != 1 or len(values) == 0:
            raise GRNInputError(f"{what} must be a non-empty list of gene names or indices")
        if values.dtype == object or values.dtype.kind in "US":
            return self._rows("names", values.astype(str).astype(object).reshape(-1, 1), what).ravel()
        if values.dtype.kind not in "iu" or (values < 0).any():
            raise GeneIndexError(f"{what} must be gene names or non-negative integer indices; got {values[:5].tolist()}")
        return self._rows("indices", values.astype(np.int64).reshape(-1, 1), what).ravel()

    def labels(self, rows):
        """The genes at ``rows``: their names, or the rows themselves in a table without names."""
        return self.names[rows] if self.names is not None else rows

    def _rows(self, kind, pairs, what):
        if kind == "frame indices":
            if self.names is not None:
                raise GRNInputError(
                    f"{what} is a DataFrame of integers but the gene table has gene names, so they could be gene IDs "
                    f"or row indices: pass IDs as text ({what}.astype(str)) to look them up by name, or row indices "
                    f"as a NumPy array ({what}.to_numpy())"
                )
            kind = "indices"
        if kind == "indices":
            return check_in_range(pairs, self.n_genes, what)
        if self.names is None:
            raise GRNInputError(
                f"{what} holds gene names but the gene table has none (node_features is an array, or the model "
                "was fitted on integer indices); pass node_features as a DataFrame indexed by gene name, or "
                f"{what} as a NumPy array of integer row indices"
            )
        return names_to_indices(pairs, self.names, what)


def check_in_range(indices, n_genes, what="X"):
    """Return the (n, 2) non-negative ``indices``; GeneIndexError names the first one >= ``n_genes``."""
    if indices.size and indices.max() >= n_genes:
        row, col = np.argwhere(indices >= n_genes)[0]
        raise GeneIndexError(
            f"{what} contains gene index {int(indices[row, col])} in row {row} ({indices[row].tolist()}), "
            f"out of range for a gene table of {n_genes} genes (valid indices: 0..{n_genes - 1})"
        )
    return indices


def check_binary_labels(y, n_pairs):
    """Return ``(classes, y01)``: the two labels and y as float32 zeros and ones."""
    if y is None:
        raise GRNInputError("requires y to be passed, but the target y is None")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise GRNInputError(f"y must be 1-D; got shape {y.shape}")
    if y.shape[0] != n_pairs:
        raise GRNInputError(f"X has {n_pairs} pairs but y has {y.shape[0]} labels")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise GRNInputError("y contains NaN or infinite values")
    kind = type_of_target(y, input_name="y")
    classes = np.unique(y)
    if len(classes) == 1:
        raise GRNInputError(
            f"y has only one class ({classes[0].tolist()!r}): training needs both positive and negative pairs"
        )
    if kind != "binary":
        raise GRNInputError(
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
    elif isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise GRNInputError(f"n_jobs must be a non-zero integer or None; got {n_jobs!r}")
    else:
        threads = int(n_jobs) if n_jobs > 0 else max(1, cores + 1 + int(n_jobs))
    return min(threads, cores)
