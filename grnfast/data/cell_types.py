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


def align_cell_types(cell_types, cells):
    """Labels in the order of ``cells``.

    A Series is matched by its index (cell ids): every cell needs a label and every
    label a cell, else a ValueError counts and shows the ids that do not match. A
    plain sequence has no ids and is taken in the cells' order (its length must match).
    """
    cells = pd.Index(cells).astype(str)
    if isinstance(cell_types, pd.Series):
        labels = cell_types.copy()
        labels.index = labels.index.astype(str)
        if labels.index.has_duplicates:
            raise GRNInputError(f"cell types: duplicated cell ids {_some(labels.index[labels.index.duplicated()].unique())}")
        unlabelled, unknown = cells.difference(labels.index, sort=False), labels.index.difference(cells, sort=False)
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
