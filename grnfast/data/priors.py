"""Prior regulatory networks (TRRUST, DoRothEA / CollecTRI style tables, plain edge
lists) and how they match the genes of an expression data set.

Matching is by gene symbol, case-normalised, and always reported: regulators,
targets and edges kept and dropped. When almost nothing matches a
``LowOverlapWarning`` says so loudly (a model trained on genes without expression
features learns nothing from expression, and nothing else would tell you).
"""
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import GRNInputError
from .files import DataFileError, read_table


class LowOverlapWarning(UserWarning):
    """Few prior edges have both genes in the expression data."""


def _edges_or_error(table, path):
    """Drop rows without both gene names; a file left without edges is an error."""
    table = table.dropna(subset=["regulator", "target"]).reset_index(drop=True)
    if len(table) == 0:
        raise DataFileError(f"{path}: no edges (no row with both a regulator and a target)")
    return table


def read_trrust(path):
    """TRRUST raw data: no header; TF, target, mode, PubMed IDs (tab-separated)."""
    table = read_table(path, sep="\t", header=None, dtype=str)
    if table.shape[1] != 4:
        raise DataFileError(f"{path}: expected 4 tab-separated columns (TF, target, mode, PubMed IDs), "
                            f"found {table.shape[1]} (wrong delimiter?)")
    table.columns = ["regulator", "target", "mode", "pmids"]
    return _edges_or_error(table, path)


# Column names seen in DoRothEA, CollecTRI, BEELINE and generic edge lists.
_SOURCE = ("source", "tf", "regulator", "gene1", "from")
_TARGET = ("target", "gene2", "to")
_WEIGHT = ("confidence", "weight", "score", "edgeweight", "likelihood")
_SIGN = ("sign", "mor", "mode", "effect")


def read_edges(path):
    """A prior network table with a header: regulator and target columns (named
    source/tf/regulator/Gene1 and target/Gene2), optional confidence or weight and
    sign (mor) columns, CSV or TSV. Returns columns regulator, target[, weight][, sign]."""
    table = read_table(path)
    lower = {c.lower(): c for c in table.columns}
    pick = lambda names: next((lower[n] for n in names if n in lower), None)  # noqa: E731
    source, target = pick(_SOURCE), pick(_TARGET)
    if source is None or target is None:
        raise DataFileError(f"{path}: needs a regulator column ({'/'.join(_SOURCE)}) and a target column "
                            f"({'/'.join(_TARGET)}); found columns {list(table.columns)[:8]}")
    out = pd.DataFrame({"regulator": table[source], "target": table[target]})
    weight, sign = pick(_WEIGHT), pick(_SIGN)
    if weight is not None:
        out["weight"] = table[weight]
    if sign is not None:
        out["sign"] = table[sign]
    out = _edges_or_error(out, path)
    out[["regulator", "target"]] = out[["regulator", "target"]].astype(str)
    return out


def read_prior(path):
    """TRRUST raw files (no header, 4 columns) or any table :func:`read_edges` reads."""
    first = read_table(path, sep="\t", header=None, nrows=1, dtype=str)
    tokens = [str(t).strip().lower() for t in first.iloc[0]]
    has_header = len(tokens) >= 2 and (tokens[0] in _SOURCE or tokens[1] in _TARGET)
    if len(tokens) == 4 and not has_header:
        return read_trrust(path)
    return read_edges(path)


@dataclass
class MatchReport:
    rows_matched: int  # input rows (duplicates and self-loops included) with both genes measured
    regulators_kept: int
    regulators_dropped: int
    targets_kept: int
    targets_dropped: int
    edges_kept: int
    edges_dropped: int

    @property
    def fraction_kept(self):
        total = self.edges_kept + self.edges_dropped
        return self.edges_kept / total if total else 0.0

    def __str__(self):
        return (f"prior matched to expression genes: {self.rows_matched} rows with both genes measured; "
                f"{self.edges_kept} of {self.edges_kept + self.edges_dropped} distinct edges kept "
                f"({self.fraction_kept:.1%}, self-loops dropped); regulators {self.regulators_kept} kept, "
                f"{self.regulators_dropped} dropped; targets {self.targets_kept} kept, {self.targets_dropped} dropped")


def match_to_genes(edges, genes, min_fraction=0.1):
    """Keep the edges whose two genes are measured, matching symbols case-insensitively.

    Returns ``(matched, report)``: ``matched`` uses the expression's spelling of
    each gene, without duplicate or self-loop edges. Warns (``LowOverlapWarning``)
    when fewer than ``min_fraction`` of the edges survive; raises when none does.
    """
    genes = pd.Index(np.asarray(genes, dtype=str))
    by_upper = pd.Series(genes, index=genes.str.upper())
    by_upper = by_upper[~by_upper.index.duplicated()]
    reg = by_upper.reindex(edges["regulator"].astype(str).str.upper()).to_numpy()
    tgt = by_upper.reindex(edges["target"].astype(str).str.upper()).to_numpy()
    keep = pd.notna(reg) & pd.notna(tgt)
    matched = edges[keep].copy()
    matched["regulator"], matched["target"] = reg[keep], tgt[keep]
    matched = matched[matched["regulator"] != matched["target"]].drop_duplicates(["regulator", "target"])
    all_regs, all_tgts = edges["regulator"].str.upper().unique(), edges["target"].str.upper().unique()
    kept_regs, kept_tgts = matched["regulator"].nunique(), matched["target"].nunique()
    report = MatchReport(int(keep.sum()), kept_regs, len(all_regs) - kept_regs, kept_tgts, len(all_tgts) - kept_tgts, len(matched),
                         len(edges.drop_duplicates(["regulator", "target"])) - len(matched))
    if len(matched) == 0:
        raise GRNInputError(f"no prior edge has both genes in the expression data ({report}); "
                         "are the gene identifiers of the same kind (symbols vs Ensembl IDs) and species?")
    if report.fraction_kept < min_fraction:
        warnings.warn(f"only {report.fraction_kept:.1%} of prior edges match the expression genes: {report}",
                      LowOverlapWarning, stacklevel=2)
    return matched.reset_index(drop=True), report
