"""Expression matrices (genes x cells) and the per-gene node features made from them.

Readers accept CSV/TSV (first column gene names, optionally gzip-compressed) and
AnnData ``.h5ad`` files (optional ``anndata`` dependency; AnnData stores cells x
genes and is transposed). Features: mean expression per cell type (the published
design, given cell labels), mean per k-means cluster of cells (no labels), or the
gene's loadings on principal components.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse


class DataFileError(ValueError):
    """A data file that cannot be used as it is; the message names the file."""


def read_expression(path):
    """Read a genes x cells matrix: a DataFrame indexed by gene name (dense), or
    for ``.h5ad`` files possibly sparse values in a DataFrame of the same shape."""
    path = Path(path)
    if not path.exists():
        raise DataFileError(f"{path}: no such file")
    if path.suffix == ".h5ad":
        try:
            import anndata
        except ImportError as exc:
            raise ImportError("reading .h5ad needs anndata: pip install 'grnfast[anndata]'") from exc
        adata = anndata.read_h5ad(path)
        values = adata.X.T
        values = values.toarray() if scipy.sparse.issparse(values) else np.asarray(values)
        frame = pd.DataFrame(values, index=adata.var_names.astype(str), columns=adata.obs_names.astype(str))
    else:
        sep = "\t" if any(s in path.suffixes for s in (".tsv", ".txt")) else ","
        try:
            frame = pd.read_csv(path, sep=sep, index_col=0)
        except pd.errors.EmptyDataError:
            raise DataFileError(f"{path}: the file is empty") from None
        except pd.errors.ParserError as exc:
            raise DataFileError(f"{path}: cannot parse as {'TSV' if sep == chr(9) else 'CSV'}: {exc}") from None
    return check_expression(frame, path)


def check_expression(frame, source="expression"):
    """Validate a genes x cells DataFrame: cells, unique gene names, finite numbers."""
    if frame.shape[1] == 0:
        raise DataFileError(f"{source}: no cell columns (wrong delimiter?)")
    if frame.shape[0] == 0:
        raise DataFileError(f"{source}: no genes")
    frame.index = frame.index.astype(str)
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()].unique()[:5].tolist()
        raise DataFileError(f"{source}: duplicated gene names {dup}")
    non_numeric = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if non_numeric:
        raise DataFileError(f"{source}: non-numeric columns {non_numeric[:3]} (wrong delimiter or a header problem?)")
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


def cell_type_means(expression, cell_types):
    """Mean expression of every gene in every cell type (genes x types)."""
    labels = pd.Series(cell_types)
    if not isinstance(cell_types, pd.Series) or not labels.index.isin(expression.columns).all():
        labels = pd.Series(np.asarray(cell_types), index=expression.columns)
    labels = labels.reindex(expression.columns)
    if labels.isna().any():
        missing = expression.columns[labels.isna()][:5].tolist()
        raise ValueError(f"cell types are missing for cells {missing}")
    means = expression.T.groupby(labels.to_numpy()).mean().T
    return means.astype(np.float32)


def cluster_means(expression, n_clusters=10, random_state=0):
    """Mean expression per k-means cluster of cells, when there are no labels."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA

    cells = expression.T.to_numpy(dtype=np.float64)
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
