"""Prior regulatory networks (TRRUST, DoRothEA / CollecTRI style tables, plain edge
lists) and how they match the genes of an expression data set.

Matching is by gene name, exactly unless ``case_fold=True``, and always reported:
regulators, targets and edges kept and dropped. Names that match only when case
is ignored (mouse ``Sox2`` against human ``SOX2``) are an error that says which
naming styles were seen: they are different species' genes. When almost nothing
matches a
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


# Words for a regulation's direction in prior tables (TRRUST's mode, OmniPath's
# effect, free-text "sign" columns); anything else, "Unknown" included, is no sign.
_ACTIVATING = {"activation", "activator", "activating", "stimulation", "positive", "up", "+"}
_REPRESSING = {"repression", "repressor", "repressing", "inhibition", "negative", "down", "-"}


def edge_signs(values):
    """A prior's sign column as +1 (activation), -1 (repression) or NaN (unknown):
    numbers by their sign (0 is unknown), words by :data:`_ACTIVATING` /
    :data:`_REPRESSING`."""
    values = pd.Series(values)
    numbers = pd.to_numeric(values, errors="coerce")
    words = values.astype(str).str.strip().str.lower()
    signs = np.sign(numbers).replace(0, np.nan)
    signs[numbers.isna() & words.isin(_ACTIVATING)] = 1.0
    signs[numbers.isna() & words.isin(_REPRESSING)] = -1.0
    return signs.astype(float)


def _one_sign_per_edge(table):
    """The ``sign`` of each row made the sign of its (regulator, target) pair: rows
    of one pair that disagree (TRRUST lists some pairs as both Activation and
    Repression) leave the pair unsigned, because later steps keep one row per pair."""
    pair = table.groupby(["regulator", "target"], sort=False)["sign"]
    low, high = pair.transform("min"), pair.transform("max")
    table["sign"] = low.where(low == high)
    return table


def read_trrust(path):
    """TRRUST raw data: no header; TF, target, mode, PubMed IDs (tab-separated).
    The mode (Activation, Repression, Unknown) gives the ``sign`` column."""
    table = read_table(path, sep="\t", header=None, dtype=str)
    if table.shape[1] != 4:
        raise DataFileError(f"{path}: expected 4 tab-separated columns (TF, target, mode, PubMed IDs), "
                            f"found {table.shape[1]} (wrong delimiter?)")
    table.columns = ["regulator", "target", "mode", "pmids"]
    table = _edges_or_error(table, path)
    table["sign"] = edge_signs(table["mode"])
    return _one_sign_per_edge(table)


# Column names seen in DoRothEA, CollecTRI, BEELINE and generic edge lists.
_SOURCE = ("source", "tf", "regulator", "gene1", "from")
_TARGET = ("target", "gene2", "to")
_WEIGHT = ("confidence", "weight", "score", "edgeweight", "likelihood")
_SIGN = ("sign", "mor", "mode", "effect")


def read_edges(path):
    """A prior network table with a header: regulator and target columns (named
    source/tf/regulator/Gene1 and target/Gene2), optional confidence or weight and
    sign (mor) columns, CSV or TSV. Returns columns regulator, target[, weight][, sign],
    ``sign`` as +1, -1 or NaN (:func:`edge_signs`). Without a sign column, a weight
    column with negative values is decoupler's signed weight (CollecTRI's file: the
    mode of regulation) and gives the sign."""
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
        out["sign"] = edge_signs(table[sign])
    elif weight is not None and (pd.to_numeric(table[weight], errors="coerce") < 0).any():
        out["sign"] = edge_signs(table[weight])
    out = _edges_or_error(out, path)
    out[["regulator", "target"]] = out[["regulator", "target"]].astype(str)
    return _one_sign_per_edge(out) if "sign" in out else out


_GENE = ("tf", "regulator", "gene", "symbol", "gene_symbol", "name", "source")


def read_regulators(path):
    """A list of candidate regulators, e.g. a TF list (AnimalTFDB, or BEELINE's
    ``TF.csv``): one gene per line (a first line naming the column, such as ``TF``
    or ``gene``, is dropped), or a table with a header and a column named
    tf/regulator/gene/symbol/name. Returns the distinct names in file order."""
    table = read_table(path, header=None, dtype=str, skip_blank_lines=True)
    if table.shape[1] == 1:
        names = table.iloc[:, 0]
        if str(names.iloc[0]).strip().lower() in _GENE:
            names = names.iloc[1:]
    else:
        header = [str(c).strip().lower() for c in table.iloc[0]]
        column = next((header.index(n) for n in _GENE if n in header), None)
        if column is None:
            raise DataFileError(f"{path}: a table of regulators needs a column named {'/'.join(_GENE)} "
                                f"(found {table.iloc[0].tolist()[:8]}), or give one gene per line")
        names = table.iloc[1:, column]
    names = names.dropna().astype(str).str.strip()
    names = pd.unique(names[names != ""])
    if len(names) == 0:
        raise DataFileError(f"{path}: no gene names")
    return list(names)


def match_regulators(names, genes, case_fold=False):
    """The measured ``names`` in the expression's spelling (ignoring case with
    ``case_fold``), in order; a ``GRNInputError`` when none is measured."""
    genes = pd.Index(np.asarray(genes, dtype=str))
    names = pd.Series(pd.unique(np.asarray(names, dtype=str)))
    found = _lookup(genes, case_fold).reindex(names.str.upper() if case_fold else names).to_numpy()
    if not case_fold:  # the prior's rule (match_to_genes): mostly a case mismatch is a naming mismatch
        folded = _lookup(genes, True).reindex(names.str.upper()).to_numpy()
        case_only = np.flatnonzero(pd.isna(found) & pd.notna(folded))
        if len(case_only) and len(case_only) > int(pd.notna(folded).sum()) / 2:
            first = case_only[0]
            raise GRNInputError(
                f"regulator names differ from the expression's in case: {len(case_only)} of "
                f"{int(pd.notna(folded).sum())} given regulators match only when case is ignored (e.g. "
                f"{names.iloc[first]!r} is {folded[first]!r} in the expression). Mouse and human genes are "
                "different genes: map orthologs first, or pass case_fold=True (CLI --case-fold)")
    measured = pd.unique(found[pd.notna(found)])
    if len(measured) == 0:
        raise GRNInputError(f"none of the {len(names)} given regulators is measured (e.g. {names.iloc[0]!r}; the "
                            f"genes are {naming_style(genes)}); same kind of identifiers and species? "
                            + ("" if case_fold else "case_fold=True (CLI --case-fold) matches names ignoring case"))
    return list(measured)


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
    case_fold: bool = False  # names matched ignoring case
    edges_case_only: int = 0  # distinct edges whose names match only when case is ignored

    @property
    def fraction_kept(self):
        total = self.edges_kept + self.edges_dropped
        return self.edges_kept / total if total else 0.0

    def __str__(self):
        case = ("matched ignoring case" if self.case_fold else
                f"matched exactly ({self.edges_case_only} more would match ignoring case)" if self.edges_case_only
                else "matched exactly")
        return (f"prior matched to expression genes ({case}): {self.rows_matched} rows with both genes measured; "
                f"{self.edges_kept} of {self.edges_kept + self.edges_dropped} distinct edges kept "
                f"({self.fraction_kept:.1%}, self-loops dropped); regulators {self.regulators_kept} kept, "
                f"{self.regulators_dropped} dropped; targets {self.targets_kept} kept, {self.targets_dropped} dropped")


def naming_style(names):
    """How a list of gene symbols is written: 'upper case (human style, e.g. SOX2)',
    'capitalised (mouse style, e.g. Sox2)' or 'mixed', by the majority of names
    that contain letters."""
    names = pd.Series(pd.unique(np.asarray(names, dtype=str)))
    names = names[names.str.contains("[A-Za-z]", regex=True)]
    if names.empty:
        return "without letters"
    upper = names.str.upper() == names
    capitalised = (names.str[:1].str.isupper()) & (names.str[1:].str.lower() == names.str[1:]) & ~upper
    example = lambda mask: names[mask].iloc[0]  # noqa: E731
    if upper.mean() > 0.5:
        return f"upper case ({upper.mean():.0%} of names; human style, e.g. {example(upper)})"
    if capitalised.mean() > 0.5:
        return f"capitalised ({capitalised.mean():.0%} of names; mouse style, e.g. {example(capitalised)})"
    return f"mixed case (e.g. {names.iloc[0]})"


def _lookup(genes, fold):
    key = genes.str.upper() if fold else genes
    table = pd.Series(genes, index=key)
    return table[~table.index.duplicated()]


def _resolve(edges, genes, fold):
    table = _lookup(genes, fold)
    names = lambda column: edges[column].astype(str)  # noqa: E731
    key = (lambda column: names(column).str.upper()) if fold else names
    return table.reindex(key("regulator")).to_numpy(), table.reindex(key("target")).to_numpy()


def match_to_genes(edges, genes, min_fraction=0.1, case_fold=False):
    """Keep the edges whose two genes are measured.

    Names match exactly; with ``case_fold=True`` ignoring case (the expression's
    spelling is kept). Without it, when more than half of the edges that would
    match ignoring case do not match exactly, the names come from different
    naming conventions (usually mouse vs human) and a ``GRNInputError`` says which
    styles were seen. Returns ``(matched, report)``: ``matched`` uses the
    expression's spelling of each gene, without duplicate or self-loop edges.
    Warns (``LowOverlapWarning``) when fewer than ``min_fraction`` of the edges
    survive; raises when none does.
    """
    genes = pd.Index(np.asarray(genes, dtype=str))
    distinct = edges.drop_duplicates(["regulator", "target"])
    reg, tgt = _resolve(edges, genes, case_fold)
    keep = pd.notna(reg) & pd.notna(tgt)
    matched = edges[keep].copy()
    matched["regulator"], matched["target"] = reg[keep], tgt[keep]
    matched = matched[matched["regulator"] != matched["target"]].drop_duplicates(["regulator", "target"])
    case_only = 0
    if not case_fold:
        folded_reg, folded_tgt = _resolve(distinct, genes, True)
        exact_reg, exact_tgt = _resolve(distinct, genes, False)
        folded = pd.notna(folded_reg) & pd.notna(folded_tgt)
        case_only = int((folded & ~(pd.notna(exact_reg) & pd.notna(exact_tgt))).sum())
        if case_only and case_only > int(folded.sum()) / 2:
            raise GRNInputError(
                f"gene names of the prior and the expression differ in case: {case_only} of {int(folded.sum())} prior "
                f"edges match the expression genes only when case is ignored. The prior's names are "
                f"{naming_style(distinct['regulator'].tolist() + distinct['target'].tolist())}; the expression's "
                f"are {naming_style(genes)}. Mouse and human genes are different genes: map orthologs first, or "
                "pass case_fold=True (CLI --case-fold) to match names ignoring case")
    all_regs = edges["regulator"].astype(str).unique()
    all_tgts = edges["target"].astype(str).unique()
    kept_regs, kept_tgts = matched["regulator"].nunique(), matched["target"].nunique()
    report = MatchReport(int(keep.sum()), kept_regs, len(all_regs) - kept_regs, kept_tgts, len(all_tgts) - kept_tgts,
                         len(matched), len(distinct) - len(matched), case_fold, case_only)
    if len(matched) == 0:
        raise GRNInputError(f"no prior edge has both genes in the expression data ({report}); "
                            "are the gene identifiers of the same kind (symbols vs Ensembl IDs) and species?")
    if report.fraction_kept < min_fraction:
        warnings.warn(f"only {report.fraction_kept:.1%} of prior edges match the expression genes: {report}",
                      LowOverlapWarning, stacklevel=2)
    return matched.reset_index(drop=True), report
