"""Single-cell expression from AnnData, read sparse and in blocks.

An ``.h5ad`` file or an AnnData in memory stores cells x genes. The matrix chosen
(``X``, ``layers[layer]`` or ``.raw``) is read in blocks along its stored axis
(CSR and dense: cells; CSC: genes), through h5py and anndata's sparse datasets
for a file, so neither a cells x genes dense copy nor the whole file is ever in
memory for cell-type means. What the values are is detected in a first pass:

- raw counts (whole, non-negative numbers): each cell scaled to 10,000 counts,
  then log1p (scanpy's ``normalize_total`` + ``log1p``);
- log data (``uns['log1p']`` present for ``X``, or non-negative non-integers): as is;
- scaled data (any negative value): refused, naming ``use_raw=True`` or a layer.

Gene names come from ``var_names`` or a ``.var`` column (``gene_symbols=``); genes
without a name are dropped and of duplicated names the most expressed is kept,
both reported.

A ``.loom`` file (genes x cells, loompy's layout) is read the same way, with h5py
in blocks of genes, named as :func:`anndata.read_loom` names it: the row
attribute ``Gene`` as ``var_names`` and ``CellID`` as ``obs_names`` (or
``var_names``/``obs_names``, as ``AnnData.write_loom`` writes them), the other
1-D row and column attributes as ``.var`` and ``.obs`` columns, ``matrix`` as
``X`` and ``layers`` as layers.
"""
import html
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd
import scipy.sparse

from ..errors import GRNInputError
from ..progress import Progress
from .cell_types import SmallCellTypesWarning, align_cell_types, drop_small_groups
from .files import DataFileError, existing_file

TARGET_SUM = 1e4  # counts per cell after library-size normalisation (scanpy's default)
BLOCK_VALUES = 1 << 23  # stored values per block (~64 MB as float32 values + int32 indices)
DENSE_LIMIT = 1 << 27  # largest genes x cells dense matrix features="expression" makes (512 MB float32)


class DuplicateGenesWarning(UserWarning):
    """Several genes share a name; only the most expressed of each name is kept."""


def _anndata_io():
    try:
        from anndata.io import read_elem, sparse_dataset
    except ImportError:
        try:
            from anndata.experimental import read_elem, sparse_dataset
        except ImportError as exc:
            raise ImportError("reading AnnData needs anndata>=0.10: pip install 'grnfast[anndata]'") from exc
    return read_elem, sparse_dataset


@dataclass
class CellMatrix:
    """One cells x genes matrix of an AnnData, its names and how its values were read."""

    matrix: object  # scipy sparse, ndarray, h5py dataset or anndata sparse dataset
    cells: pd.Index
    gene_ids: pd.Index
    source: str
    uns_log1p: bool = False
    scale: str = "unknown"  # "counts", "log" or "unknown" until surveyed
    notes: dict = field(default_factory=dict)
    progress: bool = False  # a progress bar (or line) per pass over the matrix
    var: Optional[pd.DataFrame] = None  # the matrix's .var, for naming a better gene-name column

    def gene_column_hint(self, names):
        """When a text ``.var`` column names more of ``names`` than the gene ids in use
        (Ensembl IDs as var_names, symbols in a column), the sentence that says so."""
        if self.var is None:
            return ""
        names = set(map(str, names))
        here = int(self.gene_ids.isin(names).sum())
        found = {column: int(self.var[column].astype(str).isin(names).sum()) for column in self.var.columns
                 if self.var[column].dtype == object or isinstance(self.var[column].dtype, pd.CategoricalDtype)}
        best = max(found, key=found.get, default=None)
        if best is None or found[best] <= max(2 * here, 0):
            return ""
        return (f"the .var column {best!r} names {found[best]} of the prior's genes (var_names: {here}): pass it as "
                "gene_symbols=")

    @property
    def shape(self):
        return len(self.cells), len(self.gene_ids)

    @property
    def by_genes(self):
        """True when the matrix is stored gene-major (CSC): blocks are genes x cells."""
        return getattr(self.matrix, "format", None) == "csc"  # scipy and anndata's sparse datasets alike

    def _n_stored(self):
        m = self.matrix
        if scipy.sparse.issparse(m):
            return m.nnz
        group = getattr(m, "group", None)
        if group is not None:
            return group["data"].shape[0]
        return self.shape[0] * self.shape[1]

    def blocks(self, stage="reading"):
        """Yield ``(start, stop, block)``: rows start:stop of the major axis (cells,
        or genes when stored CSC) as a CSR matrix or a dense array with those rows.
        With ``progress``, one bar (or closing line) named ``stage`` per pass."""
        n_major = self.shape[1] if self.by_genes else self.shape[0]
        per_row = max(1.0, self._n_stored() / max(n_major, 1))
        step = max(1, int(BLOCK_VALUES / per_row))
        unit = "genes" if self.by_genes else "cells"
        with Progress(n_major, f"{stage} {self.source}", unit, enabled=self.progress) as bar:
            for start in range(0, n_major, step):
                stop = min(start + step, n_major)
                if self.by_genes:
                    block = scipy.sparse.csr_matrix(self.matrix[:, start:stop].T)
                else:
                    block = self.matrix[start:stop]
                    block = scipy.sparse.csr_matrix(block) if scipy.sparse.issparse(block) else np.asarray(block)
                yield start, stop, block
                bar.update(stop - start)
            bar.close(f"{n_major} {unit}")

    def survey(self):
        """First pass: finite, non-negative, whole numbers or not; library size per
        cell and total per gene. Sets ``scale`` or raises for scaled data."""
        n_cells, n_genes = self.shape
        cell_totals, gene_totals = np.zeros(n_cells), np.zeros(n_genes)
        minimum, whole, bad = np.inf, True, 0
        for start, stop, block in self.blocks("loading"):
            values = block.data if scipy.sparse.issparse(block) else block.ravel()
            finite = np.isfinite(values)
            bad += int((~finite).sum())
            if values.size:
                minimum = min(minimum, float(values[finite].min()) if finite.any() else minimum)
                whole = whole and bool(np.all(values[finite] == np.round(values[finite])))
            rows = np.asarray(block.sum(axis=1)).ravel()
            cols = np.asarray(block.sum(axis=0)).ravel()
            if self.by_genes:
                gene_totals[start:stop], cell_totals = rows, cell_totals + cols
            else:
                cell_totals[start:stop], gene_totals = rows, gene_totals + cols
        if bad:
            raise DataFileError(f"{self.source}: {bad} NaN or infinite values")
        if minimum < 0:
            raise DataFileError(
                f"{self.source}: has negative values (minimum {minimum:.3g}): it looks like scaled (centred) data, "
                "whose means and components do not say how much a gene is expressed; use use_raw=True (.raw) or "
                "layer= a layer of counts or log-normalised values (CLI: --use-raw or --layer)")
        if not np.isfinite(minimum) or not cell_totals.any():
            raise DataFileError(f"{self.source}: every value is zero")
        self.scale = "log" if (self.uns_log1p or not whole) else "counts"
        self._library = cell_totals
        self.gene_totals = gene_totals
        self.notes.update({"matrix": self.source, "cells": n_cells, "genes": n_genes,
                           "stored_values": int(self._n_stored()), "values": self.scale,
                           "normalised": "library size to 10,000 per cell, then log1p" if self.scale == "counts"
                           else "used as stored" + (" (uns['log1p'] is set)" if self.uns_log1p else "")})
        return self

    def log_blocks(self, stage="reading"):
        """Blocks of log-normalised values (counts are normalised on the fly; the
        matrix itself is never modified)."""
        if self.scale == "unknown":
            self.survey()
        scale = None
        if self.scale == "counts":
            library = self._library.copy()
            library[library == 0] = 1.0
            scale = (TARGET_SUM / library).astype(np.float32)
        for start, stop, block in self.blocks(stage):
            if scale is None:
                yield start, stop, block.astype(np.float32)
            elif scipy.sparse.issparse(block):
                per_value = scale[block.indices] if self.by_genes else np.repeat(scale[start:stop], np.diff(block.indptr))
                data = np.log1p(block.data.astype(np.float32) * per_value)
                yield start, stop, scipy.sparse.csr_matrix((data, block.indices, block.indptr), shape=block.shape)
            else:
                yield start, stop, np.log1p(block.astype(np.float32) * scale[start:stop, None])

    def group_means(self, codes, n_groups):
        """Mean log expression of every gene over the cells of each group (genes x
        groups); ``codes`` gives each cell's group 0..n_groups-1."""
        n_cells, n_genes = self.shape
        codes = np.asarray(codes)
        counted = np.flatnonzero(codes >= 0)  # code -1: a cell of no group (a cell type too small to keep)
        # Sums as a product with a groups x cells indicator, one block at a time, in
        # a fixed order (deterministic), accumulated in float64.
        indicator = scipy.sparse.csc_matrix((np.ones(len(counted)), (codes[counted], counted)),
                                            shape=(n_groups, n_cells))
        sums = np.zeros((n_genes, n_groups))
        for start, stop, block in self.log_blocks("aggregating"):
            if self.by_genes:
                sums[start:stop] = (block @ indicator.T).toarray()
            else:
                part = indicator[:, start:stop] @ block
                sums += (part.toarray() if scipy.sparse.issparse(part) else np.asarray(part)).T
        counts = np.bincount(codes[counted], minlength=n_groups)
        return sums / np.maximum(counts, 1)[None, :]

    def log_matrix(self):
        """The whole log-normalised matrix in memory, sparse (CSR cells x genes) when
        stored sparse: for PCA and clustering, which need every cell at once."""
        parts = [block for _, _, block in self.log_blocks()]
        if scipy.sparse.issparse(parts[0]):
            stacked = scipy.sparse.vstack(parts, format="csr")
            return stacked.T.tocsr() if self.by_genes else stacked
        return np.vstack(parts)


@contextmanager
def open_cells(data, *, layer=None, use_raw=False, gene_symbols=None):
    """Yield ``(CellMatrix, obs)`` for an ``.h5ad`` or ``.loom`` path or an AnnData object.

    ``layer`` picks ``layers[layer]``, ``use_raw`` the ``.raw`` matrix (and its
    ``.var``), else ``X``. ``gene_symbols`` is a ``.var`` column of gene names to use
    instead of ``var_names`` (for example symbols beside Ensembl IDs). A file in
    anndata's older on-disk layout (before anndata 0.7, as scanpy's bundled data
    sets) is opened through anndata's backed mode, which reads it without loading
    the matrix.
    """
    if layer is not None and use_raw:
        raise GRNInputError("give layer= or use_raw=True, not both")
    if not isinstance(data, (str, Path)):
        yield _object_cells(data, layer, use_raw, gene_symbols, "AnnData ")
        return
    import h5py

    path = existing_file(data)
    if path.suffix == ".loom":
        with _loom_cells(path, layer, use_raw, gene_symbols) as opened:
            yield opened
        return
    read_elem, sparse_dataset = _anndata_io()
    try:
        handle = h5py.File(path, "r")
    except OSError as exc:
        raise DataFileError(f"{path}: not a readable .h5ad (AnnData HDF5) file ({exc})") from None
    with handle:
        if isinstance(handle.get("obs"), h5py.Dataset):  # the older layout: obs, var as compound datasets
            handle.close()
            adata = _backed(path)
            try:
                yield _object_cells(adata, layer, use_raw, gene_symbols, f"{path} ")
            finally:
                adata.file.close()
            return
        key = "raw/X" if use_raw else f"layers/{layer}" if layer is not None else "X"
        if key not in handle:
            raise DataFileError(f"{path}: has no {_describe(key)}; {_available(handle)}")
        element = handle[key]
        matrix = sparse_dataset(element) if isinstance(element, h5py.Group) else element
        var = read_elem(handle["raw/var" if use_raw else "var"])
        obs = read_elem(handle["obs"])
        uns_log1p = "uns" in handle and "log1p" in handle["uns"] and key == "X"
        yield _cell_matrix(matrix, obs, var, f"{path} ({_describe(key)})", uns_log1p, gene_symbols), obs


# Row/column attributes of gene names and cell ids: anndata.read_loom's defaults
# (loompy's and velocyto's names), then the names AnnData.write_loom gives them.
LOOM_GENES, LOOM_CELLS = ("Gene", "var_names"), ("CellID", "obs_names")


class _GenesByCells:
    """A loom matrix, stored genes x cells, seen as cells x genes: read gene-major
    in blocks of genes, as a CSC matrix is (hence ``format``)."""

    format = "csc"

    def __init__(self, dataset):
        self.dataset = dataset
        self.shape = dataset.shape[::-1]

    def __getitem__(self, key):
        cells, genes = key
        return self.dataset[genes, cells].T


def _loom_attributes(group, n):
    """The 1-D attributes of a loom ``row_attrs``/``col_attrs`` group as columns
    (strings as loompy stores them: ASCII with XML character references)."""
    columns = {}
    for name, dataset in (group.items() if group is not None else ()):
        if dataset.ndim != 1 or dataset.shape[0] != n:  # 2-D ones are embeddings (anndata's obsm/varm)
            continue
        values = dataset[()]
        if values.dtype.kind in "SO":
            values = [html.unescape(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)) for v in values]
        columns[name] = values
    return pd.DataFrame(columns, index=pd.RangeIndex(n))


@contextmanager
def _loom_cells(path, layer, use_raw, gene_symbols):
    import h5py

    try:
        handle = h5py.File(path, "r")
    except OSError as exc:
        raise DataFileError(f"{path}: not a readable .loom (HDF5) file ({exc})") from None
    with handle:
        if not isinstance(handle.get("matrix"), h5py.Dataset) or handle["matrix"].ndim != 2:
            raise DataFileError(f"{path}: no genes x cells 'matrix' in it: not a .loom file")
        layers = sorted(handle["layers"]) if "layers" in handle else []
        if use_raw:
            raise GRNInputError(f"{path}: a .loom file has no .raw; layers: {layers or 'none'}")
        if layer is not None and layer not in layers:
            raise DataFileError(f"{path}: has no layer {layer!r}; layers: {layers or 'none'}")
        dataset = handle["matrix"] if layer is None else handle["layers"][layer]
        n_genes, n_cells = handle["matrix"].shape
        var = _loom_attributes(handle.get("row_attrs"), n_genes)
        obs = _loom_attributes(handle.get("col_attrs"), n_cells)
        genes = next((name for name in LOOM_GENES if name in var.columns), None)
        if genes is not None:
            var = var.set_index(genes)
        elif gene_symbols is None:
            raise GRNInputError(f"{path}: no row attribute {LOOM_GENES[0]!r} (or {LOOM_GENES[1]!r}) with the gene "
                                f"names; row attributes: {list(var.columns)[:10] or 'none'}: pass gene_symbols= the "
                                "one that holds them")
        cells = next((name for name in LOOM_CELLS if name in obs.columns), None)
        obs.index = obs.pop(cells).astype(str) if cells is not None else pd.RangeIndex(n_cells).astype(str)
        what = "matrix" if layer is None else f"layer {layer!r}"
        yield _cell_matrix(_GenesByCells(dataset), obs, var, f"{path} ({what})", False, gene_symbols), obs


def _backed(path):
    """An ``.h5ad`` in anndata's backed mode (the matrix stays on disk). anndata's
    notes on the old format and on moving its elements are not the user's concern."""
    import anndata

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"anndata\b")
        try:
            return anndata.read_h5ad(path, backed="r")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DataFileError(f"{path}: anndata cannot read it ({type(exc).__name__}: {exc})") from None


def _object_cells(data, layer, use_raw, gene_symbols, prefix):
    """``(CellMatrix, obs)`` of an AnnData object (in memory or backed); ``prefix``
    begins the matrix's name in messages ("AnnData " or the file's path)."""
    if not (hasattr(data, "obs") and hasattr(data, "var")):
        raise GRNInputError(f"expected an AnnData or a path to an .h5ad file; got {type(data).__name__}")
    if use_raw:
        if data.raw is None:
            raise GRNInputError(f"use_raw=True but the AnnData has no .raw; {_available_object(data)}")
        matrix, var = data.raw.X, data.raw.var
    elif layer is not None:
        if layer not in data.layers:
            raise GRNInputError(f"the AnnData has no layer {layer!r}; {_available_object(data)}")
        matrix, var = data.layers[layer], data.var
    else:
        matrix, var = data.X, data.var
    if matrix is None:
        raise GRNInputError("the AnnData has no X matrix; pick a layer= or use_raw=True")
    if scipy.sparse.issparse(matrix) and matrix.format not in ("csr", "csc"):
        matrix = matrix.tocsr()
    what = ".raw.X" if use_raw else f"layers[{layer!r}]" if layer is not None else "X"
    uns_log1p = "log1p" in data.uns and what == "X"
    return _cell_matrix(matrix, data.obs, var, f"{prefix}{what}", uns_log1p, gene_symbols), data.obs


def _describe(key):
    return {"X": "X", "raw/X": ".raw"}.get(key, f"layer {key.split('/', 1)[-1]!r}")


def _available(handle):
    layers = list(handle["layers"].keys()) if "layers" in handle else []
    return f"layers: {layers or 'none'}; .raw: {'yes' if 'raw' in handle else 'no'}"


def _available_object(adata):
    return f"layers: {list(adata.layers.keys()) or 'none'}; .raw: {'yes' if adata.raw is not None else 'no'}"


def _cell_matrix(matrix, obs, var, source, uns_log1p, gene_symbols):
    if gene_symbols is not None:
        if gene_symbols not in var.columns:
            raise GRNInputError(f"{source}: no .var column {gene_symbols!r} for gene_symbols; "
                                f".var has {list(var.columns)[:10]}")
        names = var[gene_symbols]
    else:
        names = pd.Series(var.index, index=var.index)
    names = names.astype(object).where(names.notna(), "").astype(str).str.strip()
    cell_matrix = CellMatrix(matrix, pd.Index(obs.index.astype(str)), pd.Index(names.to_numpy()), source, uns_log1p,
                             var=var if gene_symbols is None else None)
    if cell_matrix.shape != tuple(matrix.shape):
        raise DataFileError(f"{source}: a {matrix.shape[0]} x {matrix.shape[1]} matrix for {len(obs)} cells and "
                            f"{len(var)} genes")
    return cell_matrix


def genes_by_cells(path):
    """The ``X`` of a small ``.h5ad`` file as a dense genes x cells DataFrame, values
    as stored (what :func:`grnfast.data.read_expression` returns for CSV files)."""
    with open_cells(path) as (cells, _):
        n_cells, n_genes = cells.shape
        if n_cells * n_genes > DENSE_LIMIT:
            raise DataFileError(f"{cells.source}: {n_cells} cells x {n_genes} genes is too large to read dense; use "
                                "GRNDataset.from_anndata, which reads it sparse and in blocks")
        blocks = [block.toarray() if scipy.sparse.issparse(block) else block for _, _, block in cells.blocks()]
        stacked = np.vstack(blocks)  # cells x genes, or genes x cells when stored CSC
        return pd.DataFrame(stacked if cells.by_genes else stacked.T, index=cells.gene_ids, columns=cells.cells)


def cell_labels(cells, obs, groupby=None, cell_types=None, min_cells=1):
    """Labels of the cells from an ``.obs`` column (``groupby``) or from
    ``cell_types`` matched by cell id, as (codes, names), or None without either.
    Cell types of fewer than ``min_cells`` cells get code -1 (in no mean) and a
    :class:`SmallCellTypesWarning`."""
    if groupby is not None and cell_types is not None:
        raise GRNInputError("give groupby= (an .obs column) or cell_types=, not both")
    if groupby is not None:
        if groupby not in obs.columns:
            raise GRNInputError(f"no .obs column {groupby!r} for groupby; .obs has {list(obs.columns)[:10]}")
        labels = obs[groupby]
        if pd.api.types.is_float_dtype(labels):  # a per-cell measurement (a QC score), not groups
            raise GRNInputError(f".obs column {groupby!r} holds numbers ({labels.dtype}, {labels.nunique()} distinct "
                                "values), not cell types; like scanpy's groupby, give a categorical column of labels")
        if labels.isna().any():
            raise GRNInputError(f".obs column {groupby!r}: {int(labels.isna().sum())} cells have no label")
        labels = pd.Series(labels.astype(str).to_numpy(), index=cells)
    elif cell_types is not None:
        labels = align_cell_types(cell_types, cells)
    else:
        return None
    labels, note = drop_small_groups(labels, min_cells)
    if note:
        warnings.warn(note, SmallCellTypesWarning, stacklevel=3)
    codes, names = pd.factorize(labels, sort=True)  # missing labels: code -1
    return codes, pd.Index(names)


def _unique_genes(cells, features):
    """Drop genes without a name and keep the most expressed of duplicated names."""
    names = cells.gene_ids
    totals = cells.gene_totals
    order = np.lexsort((np.arange(len(names)), -totals))  # most expressed first, then stored order
    keep = np.zeros(len(names), dtype=bool)
    keep[order[~pd.Index(names[order]).duplicated()]] = True
    unnamed = names == ""
    keep &= ~unnamed
    duplicated = int((~keep & ~unnamed).sum())
    cells.notes.update({"genes_without_a_name": int(unnamed.sum()), "duplicated_gene_names_dropped": duplicated})
    if duplicated:
        examples = pd.unique(names[~keep & ~unnamed])[:5].tolist()
        warnings.warn(f"{cells.source}: {duplicated} genes share a name with a more expressed gene and are dropped "
                      f"(e.g. {examples})", DuplicateGenesWarning, stacklevel=3)
    return features.iloc[np.flatnonzero(keep)]


def node_features(cells, features, labels=None, n_clusters=10, n_components=10, random_state=0):
    """Per-gene features (genes x columns DataFrame indexed by gene name) from a
    :class:`CellMatrix`: ``cell_type_means`` (needs labels), ``clusters`` (k-means
    over the cells' principal components), ``pca`` (each gene's coordinates on the
    top components) or ``expression`` (every cell; small data only)."""
    cells.survey()
    if features == "cell_type_means":
        if labels is None:
            raise GRNInputError("features='cell_type_means' needs cell types (groupby= or cell_types=); "
                                "use 'clusters' without labels")
        codes, names = labels
        values, columns = cells.group_means(codes, len(names)), list(names)
    elif features == "clusters":
        values, columns = _cluster_means(cells, n_clusters, random_state)
    elif features == "pca":
        values, columns = _gene_components(cells, n_components, random_state)
    elif features == "expression":
        n_cells, n_genes = cells.shape
        if n_cells * n_genes > DENSE_LIMIT:
            raise GRNInputError(f"features='expression' makes a dense {n_genes} genes x {n_cells} cells matrix "
                                f"({n_cells * n_genes * 4 / 2**30:.1f} GiB); use cell_type_means, clusters or pca")
        matrix = cells.log_matrix()
        values = (matrix.toarray() if scipy.sparse.issparse(matrix) else matrix).T
        columns = list(cells.cells)
    else:
        raise GRNInputError(f"unknown features {features!r}; choose cell_type_means, clusters, pca or expression")
    frame = pd.DataFrame(np.asarray(values, dtype=np.float32), index=cells.gene_ids, columns=columns)
    return _unique_genes(cells, frame)


def _cell_embedding(matrix, random_state, n_components=30):
    from sklearn.decomposition import PCA

    k = min(n_components, min(matrix.shape) - 1)
    solver = "arpack" if scipy.sparse.issparse(matrix) else "full"
    return PCA(n_components=k, svd_solver=solver, random_state=random_state).fit_transform(matrix)


def _cluster_means(cells, n_clusters, random_state):
    from sklearn.cluster import KMeans

    matrix = cells.log_matrix()
    if not 1 <= n_clusters <= matrix.shape[0]:
        raise GRNInputError(f"n_clusters={n_clusters} clusters of cells, but {cells.source} has {matrix.shape[0]} "
                            "cells; give cell types (groupby=) or fewer clusters")
    codes = KMeans(n_clusters=n_clusters, n_init=10, random_state=random_state).fit_predict(
        _cell_embedding(matrix, random_state))
    in_memory = CellMatrix(matrix, cells.cells, cells.gene_ids, cells.source, scale="log")
    return in_memory.group_means(codes, n_clusters), [f"cluster{c}" for c in range(n_clusters)]


def _gene_components(cells, n_components, random_state):
    """Each gene's coordinates on the top principal components of the genes x cells matrix."""
    genes_by_cells = cells.log_matrix().T
    coords = _cell_embedding(genes_by_cells, random_state, n_components)
    return coords, [f"PC{i + 1}" for i in range(coords.shape[1])]
