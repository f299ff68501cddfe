"""Cell-type labels: read from a file of cell id, cell type, and put in the order
of a matrix's cells (matched by id). Used by the dense and the sparse (AnnData)
readers alike, so it sits below both."""
import numpy as np
import pandas as pd

from ..errors import GRNInputError
from .files import DataFileError, read_table


def read_cell_types(path):
    """Cell-type labels from a table whose first column is the cell id and second
    the label (a header row first), as a Series indexed by cell id."""
    table = read_table(path, index_col=0, dtype=str)
    if table.shape[1] < 1:
        raise DataFileError(f"{path}: needs a cell id column and a cell-type column (wrong delimiter?)")
    if len(table) == 0:
        raise DataFileError(f"{path}: no cells (only a header)")
    labels = table.iloc[:, 0]
    labels.index = labels.index.astype(str)
    if labels.index.has_duplicates:
        raise DataFileError(f"{path}: duplicated cell ids {labels.index[labels.index.duplicated()].unique()[:5].tolist()}")
    if labels.isna().any():
        raise DataFileError(f"{path}: {int(labels.isna().sum())} cells without a label, e.g. "
                            f"{labels.index[labels.isna()][:5].tolist()}")
    return labels


def _some(values, n=5):
    values = list(values)
    return ", ".join(map(repr, values[:n])) + (", ..." if len(values) > n else "")


TRANSPOSED = ("grnfast reads genes x cells (a gene per row, a cell per column, as BEELINE's files); scanpy "
              "writes cells x genes: transpose the table (DataFrame.T) or give the .h5ad")


def align_cell_types(cell_types, cells, genes=None):
    """Labels in the order of ``cells``.

    A Series is matched by its index (cell ids): every cell needs a label and every
    label a cell, else a GRNInputError counts and shows the ids that do not match
    (and says the matrix looks transposed when the ids are the ``genes``' names). A
    plain sequence has no ids and is taken in the cells' order (its length must match).
    """
    cells = pd.Index(cells).astype(str)
    if isinstance(cell_types, pd.Series) and cells.has_duplicates:
        raise GRNInputError(f"cell types are matched to cells by id, but {int(cells.duplicated().sum())} cell ids are "
                            f"duplicated (e.g. {_some(cells[cells.duplicated()].unique())}): make them unique "
                            "(AnnData: adata.obs_names_make_unique()), or give the labels in the cells' order")
    if isinstance(cell_types, pd.Series):
        labels = cell_types.copy()
        labels.index = labels.index.astype(str)
        if labels.index.has_duplicates:
            raise GRNInputError(f"cell types: duplicated cell ids {_some(labels.index[labels.index.duplicated()].unique())}")
        unlabelled, unknown = cells.difference(labels.index, sort=False), labels.index.difference(cells, sort=False)
        if genes is not None and len(unlabelled) == len(cells) and pd.Index(genes).astype(str).isin(labels.index).any():
            raise GRNInputError(f"the expression looks transposed: the cell ids of the cell types are its row names "
                                f"(e.g. {_some(labels.index.intersection(pd.Index(genes).astype(str)))}); {TRANSPOSED}")
        if len(unlabelled) or len(unknown):
            raise GRNInputError(
                f"cell types are matched to cells by id, and {len(unlabelled)} of {len(cells)} cells have no label "
                f"(e.g. {_some(unlabelled)}) while {len(unknown)} of {len(labels)} labels name no cell "
                f"(e.g. {_some(unknown)}); index the labels by the expression's cell ids, or pass a plain array in "
                "the cells' order")
        labels = labels.reindex(cells)
    else:
        values = np.asarray(cell_types, dtype=object)
        if values.ndim != 1 or len(values) != len(cells):
            raise GRNInputError(f"cell types: {values.size} labels for {len(cells)} cells (a plain sequence is taken in "
                                "the cells' order; a Series is matched by cell id)")
        labels = pd.Series(values, index=cells)
    if labels.isna().any():
        raise GRNInputError(f"cell types: {int(labels.isna().sum())} cells have a missing label, e.g. "
                            f"{_some(cells[labels.isna().to_numpy()])}")
    return labels.astype(str)


class SmallCellTypesWarning(UserWarning):
    """Cell types with too few cells to give a profile were left out of the features."""


MIN_CELLS = 10  # cells a cell type needs for its mean to be a profile rather than one cell's noise


def drop_small_groups(labels, min_cells=MIN_CELLS):
    """``(labels, note)``: the labels with those of cell types of fewer than
    ``min_cells`` cells set missing (their cells then count in no mean), and a note
    naming what was dropped ("" when nothing was). Fewer than two cell types left
    after dropping is an error: the labels are then no cell types (a per-cell
    number, say)."""
    sizes = labels.value_counts()
    small = sizes[sizes < min_cells]
    if not len(small):
        return labels, ""
    if len(sizes) - len(small) < 2:
        raise GRNInputError(f"cell types: {len(sizes)} groups, {len(sizes) - len(small)} with at least {min_cells} "
                            f"cells (the largest has {int(sizes.max())}): these labels are not cell types; give a "
                            "column of cell-type labels, or a lower minimum (min_cells=)")
    note = (f"{len(small)} of {len(sizes)} cell types have fewer than {min_cells} cells and are left out of the "
            f"features ({int(small.sum())} cells; e.g. {_some(small.index)})")
    return labels.where(~labels.isin(small.index)), note
