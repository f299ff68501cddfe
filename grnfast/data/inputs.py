"""What a run reads, in one place: an expression file or AnnData, a prior (a file
or a database by name) or an edge table, a TF list and cell types; or, with no
expression, the real data set shipped in the package.

:class:`InputFiles` names them as ``grnfast infer``'s options do; ``load()`` checks
that every file exists before anything is read and returns the
:class:`~grnfast.data.GRNDataset`. Messages name the inputs as Python does
(``prior=``); the command line says them as its options (``grnfast.cli.cli_message``).
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import GRNInputError
from .dataset import GRNDataset
from .cell_types import MIN_CELLS, read_cell_types
from .expression import read_expression
from .files import existing_file
from .prior_databases import PRIOR_NAMES, fetch_prior
from .priors import read_edges, read_prior, read_regulators

H5AD_OPTIONS = ("layer", "use_raw", "groupby", "gene_symbols")
ANNDATA_SUFFIXES = (".h5ad", ".loom")


@dataclass
class InputFiles:
    """The inputs of a run.

    expression : genes x cells CSV/TSV, an ``.h5ad`` (cells x genes, read sparse) or a
        ``.loom`` (genes x cells, read in blocks of genes);
        None for the data set shipped in the package (:mod:`grnfast.data.shipped`).
    prior : a prior network file (TRRUST raw TSV, a DoRothEA/CollecTRI-style table)
        or the name ``trrust``, ``dorothea`` or ``collectri`` (downloaded once, of
        ``organism``). Exactly one of ``prior`` and ``edges`` with ``expression``.
    edges : known edges, a table with regulator and target columns.
    regulators : a TF list file, candidate regulators beside the prior's.
    cell_types : CSV of cell id, cell type (node features = cell-type means).
    layer, use_raw, groupby, gene_symbols : how an ``.h5ad`` or ``.loom`` is read
        (:meth:`GRNDataset.from_anndata`).
    case_fold : match gene names ignoring case.
    features : node features from expression (default: cell-type means with cell
        types, else cluster means).
    min_cells : cell types of fewer cells are left out of the cell-type means.
    """
    expression: Optional[str] = None
    prior: Optional[str] = None
    edges: Optional[str] = None
    regulators: Optional[str] = None
    cell_types: Optional[str] = None
    organism: str = "human"
    layer: Optional[str] = None
    use_raw: bool = False
    groupby: Optional[str] = None
    gene_symbols: Optional[str] = None
    case_fold: bool = False
    features: Optional[str] = None
    min_cells: int = MIN_CELLS

    @property
    def is_anndata(self):
        """The expression is a file anndata reads: ``.h5ad`` or ``.loom``."""
        return self.expression is not None and Path(self.expression).suffix in ANNDATA_SUFFIXES

    def check(self):
        """Refuse combinations that cannot work and missing files, before any read."""
        if self.expression is None:
            if self.prior or self.edges or self.cell_types or self.regulators:
                raise GRNInputError("prior=, edges=, cell_types= and regulators= need expression=")
            return
        if (self.prior is None) == (self.edges is None):
            raise GRNInputError("give exactly one of prior= or edges= with expression=")
        for path in (self.expression, self.edges, self.cell_types, self.regulators):
            if path is not None:
                existing_file(path)
        if (self.cell_types or self.groupby) and self.features not in (None, "cell_type_means"):
            labels = "cell_types=" if self.cell_types else "groupby="
            raise GRNInputError(f"{labels} gives cell-type means as node features; with features={self.features!r} "
                                "the cell types would go unused: drop one of them")
        given = [f"{name}=" for name in H5AD_OPTIONS if getattr(self, name)]
        if given and not self.is_anndata:
            raise GRNInputError(f"{', '.join(given)} apply to an .h5ad or .loom file; {self.expression} is neither")

    def read_edges(self):
        """The prior's edges: an edge table, a database by name, or a prior file."""
        if self.edges:
            return read_edges(self.edges)
        if not Path(self.prior).exists() and self.prior.lower() in PRIOR_NAMES:
            return fetch_prior(self.prior, self.organism)
        return read_prior(self.prior)

    def load(self, random_state=0, progress=True):
        """The :class:`GRNDataset` these inputs make (the shipped data set without
        ``expression``); ``random_state`` seeds the node features' clustering."""
        self.check()
        if self.expression is None:
            from .shipped import load_mesc

            return load_mesc(features=self.features or "clusters", random_state=random_state)
        edges = self.read_edges()
        cell_types = read_cell_types(self.cell_types) if self.cell_types else None
        regulators = read_regulators(self.regulators) if self.regulators else None
        options = {"cell_types": cell_types, "regulators": regulators, "features": self.features,
                   "name": Path(self.expression).name, "case_fold": self.case_fold, "random_state": random_state,
                   "min_cells": self.min_cells}
        try:
            if self.is_anndata:
                return GRNDataset.from_anndata(self.expression, edges, **options, progress=progress,
                                               **{name: getattr(self, name) for name in H5AD_OPTIONS})
            return GRNDataset.from_expression(read_expression(self.expression), edges, **options)
        except GRNInputError as exc:
            if self.expression in str(exc):
                raise
            raise GRNInputError(f"{self.expression} with {self.prior or self.edges}: {exc}") from exc
