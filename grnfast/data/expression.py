"""Expression matrices (genes x cells) and the per-gene node features made from them.

Readers accept CSV/TSV (first column gene names, optionally gzip-compressed),
AnnData ``.h5ad`` files (optional ``anndata`` dependency; AnnData stores cells x
genes and is transposed) and ``.loom`` files (genes x cells). Features: mean expression per cell type (the published
design, given cell labels), mean per k-means cluster of cells (no labels), or the
gene's loadings on principal components.
"""
import warnings

import numpy as np
import pandas as pd

from ..errors import GRNInputError
from ..genes import gene_frame_problem
from .cell_types import SmallCellTypesWarning, align_cell_types, drop_small_groups
from .files import DataFileError, existing_file, read_table


def read_expression(path):
    """Read a genes x cells matrix as a dense DataFrame indexed by gene name, values
    as stored. An ``.h5ad`` file's ``X`` is transposed, a ``.loom`` file's matrix
    read as it is (small files only: for an atlas use
    :meth:`GRNDataset.from_anndata`, which reads it in blocks)."""
    path = existing_file(path)
    if path.suffix in (".h5ad", ".loom"):
        from .single_cell import genes_by_cells

        frame = genes_by_cells(path)
    else:
        frame = read_table(path, index_col=0)
    return check_expression(frame, path)


def check_expression(frame, source="expression"):
    """Validate a genes x cells DataFrame: cells, unique gene names, finite numbers."""
    if frame.shape[1] == 0:
        raise DataFileError(f"{source}: no cell columns (wrong delimiter?)")
    if frame.shape[0] == 0:
        raise DataFileError(f"{source}: no genes")
    frame = frame.set_axis(frame.index.astype(str), axis=0)
    problem = gene_frame_problem(frame)
    if problem:
        hint = " (wrong delimiter or a header problem?)" if problem.startswith("non-numeric") else ""
        raise DataFileError(f"{source}: {problem}{hint}")
    if not np.isfinite(frame.to_numpy(dtype=np.float64)).all():
        raise DataFileError(f"{source}: contains NaN or infinite values")
    return frame.astype(np.float32)


def normalize(expression, library_size=True, log1p=True, target_sum=1e4):
    """Scale every cell to ``target_sum`` counts, then log1p (each optional)."""
    values = expression.to_numpy(dtype=np.float64)
    if library_size:
        totals = values.sum(axis=0)
        totals[totals == 0] = 1.0
        values = values / totals * target_sum
    if log1p:
        values = np.log1p(values)
    return pd.DataFrame(values.astype(np.float32), index=expression.index, columns=expression.columns)


def cell_type_means(expression, cell_types, min_cells=1):
    """Mean expression of every gene in every cell type (genes x types); labels
    are matched to the cells by id (:func:`align_cell_types`). Cell types of fewer
    than ``min_cells`` cells are left out (:func:`drop_small_groups`, which warns)."""
    labels = align_cell_types(cell_types, expression.columns, genes=expression.index)
    labels, note = drop_small_groups(labels, min_cells)
    if note:
        warnings.warn(note, SmallCellTypesWarning, stacklevel=2)
    means = expression.T.groupby(labels.to_numpy()).mean().T
    return means.astype(np.float32)


def cluster_means(expression, n_clusters=10, random_state=0):
    """Mean expression per k-means cluster of cells, when there are no labels."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA

    cells = expression.T.to_numpy(dtype=np.float64)
    if not 1 <= n_clusters <= len(cells):
        raise GRNInputError(f"n_clusters={n_clusters} clusters of cells, but the expression has {len(cells)} cells; "
                            "give cell types or fewer clusters")
    embedded = PCA(n_components=min(30, *cells.shape), random_state=random_state).fit_transform(cells)
    labels = KMeans(n_clusters=n_clusters, n_init=10, random_state=random_state).fit_predict(embedded)
    return cell_type_means(expression, pd.Series([f"cluster{c}" for c in labels], index=expression.columns))


def pca_features(expression, n_components=10, random_state=0):
    """Each gene's coordinates on the top principal components of the genes x cells matrix."""
    from sklearn.decomposition import PCA

    values = expression.to_numpy(dtype=np.float64)
    coords = PCA(n_components=min(n_components, *values.shape), random_state=random_state).fit_transform(values)
    return pd.DataFrame(coords.astype(np.float32), index=expression.index,
                        columns=[f"PC{i + 1}" for i in range(coords.shape[1])])


def coverage_report(features):
    """How many genes have any non-zero feature."""
    nonzero = (features.to_numpy() != 0).any(axis=1)
    return {"genes": int(len(features)), "with_nonzero_features": int(nonzero.sum()),
            "fraction": float(nonzero.mean()) if len(features) else 0.0}
