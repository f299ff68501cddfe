"""One object for a data set: genes, regulators, expression, node features and
known edges, handing the estimators the ``X``, ``y`` and ``node_features`` they take."""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd
import scipy.sparse

from ..errors import GRNInputError
from .expression import cell_type_means, check_expression, cluster_means, coverage_report, pca_features
from .negatives import labelled_pairs, sample_negatives
from .priors import match_regulators, match_to_genes
from .splits import PairSplit, cold_start_split, per_regulator_split, random_split
from .synthetic import make_synthetic_network
from .task import PairTask

FEATURES = ("cell_type_means", "clusters", "pca", "expression")


def node_features_from(expression, features="cell_type_means", cell_types=None, n_clusters=10, n_components=10,
                       random_state=0, min_cells=1):
    """Per-gene features from a genes x cells matrix (see :mod:`grnfast.data.expression`)."""
    if features == "cell_type_means":
        if cell_types is None:
            raise GRNInputError("features='cell_type_means' needs cell types; use 'clusters' without labels")
        return cell_type_means(expression, cell_types, min_cells)
    if features == "clusters":
        return cluster_means(expression, n_clusters, random_state)
    if features == "pca":
        return pca_features(expression, n_components, random_state)
    if features == "expression":
        return expression.astype(np.float32)
    raise GRNInputError(f"unknown features {features!r}; choose one of {FEATURES}")


def _dense_node_features(features, name):
    """Node features as a dense float DataFrame indexed by gene name (a pandas
    sparse frame is made dense: genes x a few columns is small)."""
    if scipy.sparse.issparse(features):
        raise GRNInputError(f"{name}: node features must be a DataFrame indexed by gene name; got a scipy sparse "
                            f"{features.shape[0]} x {features.shape[1]} matrix without gene names")
    if not isinstance(features, pd.DataFrame):
        raise GRNInputError(f"{name}: node features must be a DataFrame indexed by gene name; got {type(features).__name__}")
    if any(isinstance(dtype, pd.SparseDtype) for dtype in features.dtypes):
        features = features.sparse.to_dense()
    return features


def _is_anndata(data):
    return hasattr(data, "obs") and hasattr(data, "var") and hasattr(data, "layers")


def _expression_frame(expression):
    """The genes x cells DataFrame that :meth:`GRNDataset.from_expression` reads, checked."""
    if not isinstance(expression, pd.DataFrame):
        raise GRNInputError(f"expression must be a genes x cells DataFrame indexed by gene name; got "
                            f"{type(expression).__name__}")
    if any(isinstance(dtype, pd.SparseDtype) for dtype in expression.dtypes):
        raise GRNInputError("expression is a pandas sparse DataFrame: pass an AnnData with a sparse matrix to "
                            "GRNDataset.from_anndata instead")
    return check_expression(expression)


@dataclass
class GRNDataset:
    """Genes (the rows of ``node_features``), candidate regulators, known edges."""

    name: str
    node_features: pd.DataFrame
    edges: pd.DataFrame
    regulators: pd.Index
    expression: Optional[pd.DataFrame] = None
    cell_types: Optional[pd.Series] = None
    notes: dict = field(default_factory=dict)

    def __post_init__(self):
        self.node_features = _dense_node_features(self.node_features, self.name)
        genes = self.node_features.index
        if genes.has_duplicates:
            raise GRNInputError(f"{self.name}: duplicated gene names in node features")
        unknown = ~self.edges["regulator"].isin(genes) | ~self.edges["target"].isin(genes)
        if unknown.any():
            example = self.edges[unknown].iloc[0].tolist()[:2]
            raise GRNInputError(f"{self.name}: {int(unknown.sum())} edges use genes without node features, e.g. {example}")
        self.regulators = pd.Index(self.regulators)

    @classmethod
    def from_expression(cls, expression, edges, *, cell_types=None, regulators=None, features=None,
                        n_clusters=10, n_components=10, name="custom", min_overlap=0.1, case_fold=False,
                        random_state=0, min_cells=1):
        """From a genes x cells DataFrame (or an AnnData, read as :meth:`from_anndata`
        does) and prior edges matched to the genes by name (:func:`match_to_genes`).

        ``features`` defaults to cell-type means when ``cell_types`` is given and
        k-means cluster means otherwise. ``cell_types``: a Series indexed by cell id
        (matched by id) or a plain array in the cells' order. ``regulators``
        (e.g. a TF list, :func:`~grnfast.data.read_regulators`) adds candidate
        regulators, the measured ones (matched as the prior is), to the prior's.
        Cell types of fewer than ``min_cells`` cells are left out of the means
        (``grnfast infer`` leaves out those under 10: ``--min-cells``).
        """
        if _is_anndata(expression):
            return cls.from_anndata(expression, edges, cell_types=cell_types, regulators=regulators,
                                    features=features, n_clusters=n_clusters, n_components=n_components, name=name,
                                    min_overlap=min_overlap, case_fold=case_fold, random_state=random_state,
                                    min_cells=min_cells)
        expression = _expression_frame(expression)
        features = features or ("cell_type_means" if cell_types is not None else "clusters")
        node_features = node_features_from(expression, features, cell_types, n_clusters, n_components, random_state,
                                           min_cells)
        return cls._from_features(name, node_features, edges, regulators, min_overlap, case_fold,
                                  expression=expression, cell_types=cell_types)

    @classmethod
    def from_anndata(cls, adata, edges, *, layer=None, use_raw=False, groupby=None, gene_symbols=None,
                     cell_types=None, regulators=None, features=None, n_clusters=10, n_components=10,
                     name=None, min_overlap=0.1, case_fold=False, random_state=0, progress=False, min_cells=1):
        """From an AnnData, an ``.h5ad`` path (cells x genes) or a ``.loom`` path
        (genes x cells, anndata's names: row attribute ``Gene``, column attribute
        ``CellID``; ``groupby`` and ``gene_symbols`` name column and row attributes)
        and prior edges.

        The matrix (``X``, ``layer=`` or ``use_raw=True``) is read sparse and in
        blocks (:mod:`grnfast.data.single_cell`): raw counts are normalised (library
        size, log1p), log data used as is, scaled data refused. ``groupby`` names the
        ``.obs`` column of cell types (or pass ``cell_types``, matched by cell id);
        ``gene_symbols`` a ``.var`` column of gene names to use instead of
        ``var_names``. Features default to cell-type means with labels (cell types of
        fewer than ``min_cells`` cells left out), cluster means without. The expression matrix is not kept (``expression`` is None);
        ``notes["expression"]`` says what was read and how it was normalised.
        ``progress=True`` shows a bar (or a closing line off a terminal) for each
        pass over the matrix: loading (the survey of its values), aggregation.
        """
        from .single_cell import cell_labels, node_features, open_cells

        if name is None:
            name = Path(adata).name if isinstance(adata, (str, Path)) else "anndata"
        with open_cells(adata, layer=layer, use_raw=use_raw, gene_symbols=gene_symbols) as (cells, obs):
            cells.progress = progress
            labels = cell_labels(cells.cells, obs, groupby, cell_types, min_cells)
            features = features or ("cell_type_means" if labels is not None else "clusters")
            table = node_features(cells, features, labels, n_clusters, n_components, random_state)
            notes = dict(cells.notes)
        label_series = None
        if labels is not None:
            codes, names = labels
            label_series = pd.Series(np.where(codes >= 0, names[codes], None), index=cells.cells)
        try:
            ds = cls._from_features(name, table, edges, regulators, min_overlap, case_fold, cell_types=label_series)
        except GRNInputError as exc:  # Ensembl IDs as var_names while a .var column holds the prior's symbols?
            gene_hint = cells.gene_column_hint(pd.concat([edges["regulator"], edges["target"]]).unique())
            if gene_hint:
                raise GRNInputError(f"{exc}; {gene_hint}") from exc
            raise
        ds.notes["expression"] = notes
        return ds

    @classmethod
    def _from_features(cls, name, node_features, edges, regulators, min_overlap, case_fold, expression=None,
                       cell_types=None):
        matched, report = match_to_genes(edges, node_features.index, min_fraction=min_overlap, case_fold=case_fold)
        regs = pd.Index(pd.unique(matched["regulator"]))
        notes = {"match": report, "coverage": coverage_report(node_features)}
        if regulators is not None:
            # The prior's regulators stay candidates: test pairs of a regulator left out
            # would all be positives, and its known edges would never be scored.
            given = match_regulators(regulators, node_features.index, case_fold)
            regs = regs.append(pd.Index(given).difference(regs, sort=False))
            notes["regulators"] = (f"{len(given)} of {len(pd.unique(np.asarray(regulators, dtype=str)))} given "
                                   f"regulators measured; {len(regs)} candidates with the prior's")
        return cls(name, node_features, matched, regs, expression, cell_types, notes)

    @classmethod
    def synthetic(cls, random_state=0, **kwargs):
        """The embedded default data set (:func:`make_synthetic_network`), with
        cell-type means as node features."""
        expression, cell_types, edges = make_synthetic_network(random_state=random_state, **kwargs)
        regs = pd.Index([g for g in expression.index if g.startswith("TF")])
        features = cell_type_means(expression, cell_types)
        return cls("synthetic", features, edges, regs, expression, cell_types,
                   {"coverage": coverage_report(features)})

    @property
    def genes(self):
        return self.node_features.index

    def summary(self):
        """Sizes of the data set: genes, regulators, edges and their density."""
        n_pairs = len(self.regulators) * len(self.genes)
        return {"name": self.name, "genes": len(self.genes), "regulators": len(self.regulators),
                "edges": len(self.edges), "density": len(self.edges) / n_pairs if n_pairs else float("nan"),
                "node_features": self.node_features.shape[1]}

    @property
    def known_regulators(self):
        """The candidate regulators with at least one known edge."""
        return self.regulators[self.regulators.isin(self.edges["regulator"])]

    @property
    def known_targets(self):
        """The genes with at least one known regulator, in the gene table's order."""
        return self.genes[self.genes.isin(self.edges["target"])]

    def labelled_pairs(self, ratio=1.0, method="uniform", random_state=0, regulators=None, targets=None):
        """Known edges (label 1) plus sampled negatives (label 0) whose regulators
        are drawn from ``regulators`` (default: every candidate regulator) and
        targets from ``targets`` (default: every gene)."""
        regulators = self.regulators if regulators is None else regulators
        targets = self.genes if targets is None else targets
        negatives = sample_negatives(self.edges, regulators, targets, ratio, method, random_state)
        return labelled_pairs(self.edges, negatives)

    def split(self, kind="random", *, ratio=1.0, method="uniform", hold_out="regulators", fraction=0.2,
              random_state=0, regulators=None, targets=None):
        """A :class:`PairSplit`: ``random`` (70/15/15 of labelled pairs),
        ``per_regulator`` (GENELink) or ``cold_start`` (holding out ``hold_out``);
        the negatives' regulators drawn from ``regulators`` (default: every
        candidate regulator) and, but for ``per_regulator``, their targets from
        ``targets`` (default: every gene)."""
        if kind == "per_regulator":
            return per_regulator_split(self.edges, self.regulators, self.genes, random_state=random_state)
        pairs = self.labelled_pairs(ratio, method, random_state, regulators, targets)
        if kind == "random":
            return random_split(pairs, random_state=random_state)
        if kind == "cold_start":
            return cold_start_split(pairs, hold_out, fraction, random_state=random_state)
        raise GRNInputError(f"unknown split {kind!r}; choose random, per_regulator or cold_start")

    def task(self, split, name=None):
        """A :class:`~grnfast.data.PairTask` with ``X`` as gene-name pairs; its notes
        hold the split's report, its held-out genes and its notes where it has them."""
        parts = []
        for frame in (split.train, split.validation, split.test):
            parts += [frame[["regulator", "target"]].reset_index(drop=True), frame["label"].to_numpy()]
        notes = {"split": split.report()}
        for key in ("held_out", "validation_held_out", "held_out_roles", "notes"):
            if getattr(split, key):
                notes["split_notes" if key == "notes" else key] = list(getattr(split, key))
        return PairTask(name or f"{self.name} ({split.kind})", self.node_features, *parts, notes=notes)


def X_y(frame):
    """``X`` (two columns of gene names) and ``y`` from a frame of labelled pairs."""
    return frame[["regulator", "target"]].reset_index(drop=True), frame["label"].to_numpy()


__all__ = ["GRNDataset", "PairSplit", "X_y", "node_features_from"]
