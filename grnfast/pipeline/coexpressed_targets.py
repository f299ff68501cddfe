"""The targets a TF without known edges shares with the TFs it is co-expressed with.

For a TF the prior has no edge for, the other TFs' edges are the evidence: the
share of the regulators with known edges that regulate a gene (its in-degree over
them) ranks the hub genes first, and on dense ChIP-seq priors that is as good as
anything (docs/evaluation.md, "How much of a TF's targets the others' edges
tell"). :class:`CoexpressedTargets` weighs each of those regulators by
softmax(beta x its Pearson correlation with the TF) instead of equally: beta = 0
is the plain share, a large beta the targets of the most co-expressed regulator.
beta is chosen on the prior itself: each regulator with known edges (at most
:data:`MAX_CHOOSERS` of them, seeded) is left out in turn, and its own targets
ranked by the share at each beta; the beta with the best mean per-TF AUROC is
kept (a tie keeps the smaller). Asking for a clear gain over beta 0 instead
(two standard errors of the regulators' gains) gave up more on the sparse
BEELINE sets than it saved on the dense ones (docs/evaluation.md, "How much of
a TF's targets the others' edges tell").
"""
import numpy as np
import pandas as pd
import scipy.sparse
from scipy.stats import rankdata

from ..data.signs import unit_profiles
from ..errors import GRNInputError
from ..genes import GeneTable

BETAS = (0.0, 1.0, 2.0, 5.0, 10.0, 20.0)
# Leaving out this many regulators tells the betas apart; more only costs time
# (a genome-scale prior has over a thousand).
MAX_CHOOSERS = 200
# Correlations are computed for this many candidates at a time (a genome's genes
# x its known targets would not fit at once).
ROWS_AT_ONCE = 128
# Left-out regulators ranked at a time when beta is chosen: each is a dense row over
# a genome's genes, several times over in the ranking.
CHOOSERS_AT_ONCE = 32


def row_auroc(scores, y, keep=None):
    """AUROC of each row of ``scores`` (rows x genes) against the 0/1 labels ``y``
    (same shape), over the genes ``keep`` marks (default all); every row needs
    both classes among them. Ties count half."""
    if keep is None:
        keep = np.ones(y.shape, dtype=bool)
    y = np.where(keep, y, 0)
    # a gene not kept ranks below every kept one and is taken off each rank
    ranks = rankdata(np.where(keep, scores, -np.inf), axis=1) - (~keep).sum(axis=1, keepdims=True)
    n_pos = y.sum(axis=1)
    n_neg = keep.sum(axis=1) - n_pos
    return ((ranks * y).sum(axis=1) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def softmax_weights(correlation, beta):
    """Rows of softmax(beta x ``correlation``) over its columns; an entry of -inf
    (a regulator's own column) gets weight 0, whatever beta."""
    finite = np.isfinite(correlation)
    logits = np.where(finite, beta * np.where(finite, correlation, 0.0), -np.inf)
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    return weights / weights.sum(axis=1, keepdims=True)


class CoexpressedTargets:
    """The co-expression-weighted share of the known regulators that regulate each
    gene, for candidate regulators; build with :meth:`fit`.

    Attributes
    ----------
    beta : float
        The weights' sharpness (0: every known regulator counts the same).
    genes : pandas.Index
        The gene table: the targets, in its order.
    n_known : int
        The regulators with known edges.
    """

    def __init__(self, genes, candidates, unit, known_rows, targets, beta):
        self.genes = genes
        self._candidate_row = pd.Series(np.arange(len(candidates)), index=candidates)
        self._unit = unit                # candidates x samples, unit-norm centred profiles
        self._known_rows = known_rows    # each known regulator's row among the candidates
        self._targets = targets          # known regulators x genes, sparse 0/1
        self.beta = float(beta)
        self.n_known = targets.shape[0]

    @classmethod
    def fit(cls, genes, profiles, edges, candidates, beta=None, random_state=0, choice_targets=None):
        """From the known ``edges`` (a frame with ``regulator`` and ``target`` gene
        names, all in ``genes``), for the ``candidates`` (regulator names) whose
        share will be asked for; correlations over ``profiles`` (genes x samples; a
        gene without a profile, or a constant one, correlates 0 with every other).
        ``beta``: fixed, or None to choose it (leaving regulators out, a seeded
        sample of :data:`MAX_CHOOSERS` when there are more, each ranking its
        targets among ``choice_targets``: default every gene)."""
        genes = pd.Index(genes)
        table = GeneTable(np.asarray(genes, dtype=object))
        edges = edges[["regulator", "target"]].drop_duplicates()
        if edges.empty:
            raise GRNInputError("the co-expressed TFs' targets need at least one known edge")
        known = pd.Index(sorted(edges["regulator"].unique()))
        candidates = pd.Index(candidates).union(known)
        targets = scipy.sparse.csr_matrix(
            (np.ones(len(edges)), (known.get_indexer(edges["regulator"]),
                                   table.gene_rows(edges["target"], "the known edges' targets"))),
            shape=(len(known), len(genes)))
        unit = unit_profiles(profiles.reindex(candidates).to_numpy(dtype=np.float64))
        fitted = cls(genes, candidates, unit, candidates.get_indexer(known), targets, 0.0 if beta is None else beta)
        if beta is None:
            keep = None if choice_targets is None else genes.isin(choice_targets)
            fitted.beta = fitted._chosen_beta(known, random_state, keep)
        return fitted

    def log_share(self, regulators, columns=None):
        """(regulators x genes) log of the weighted share, smoothed by one known
        regulator: log((n w.t + 1) / (n + 1)), n the known regulators weighed (the
        regulator's own row excepted). At beta 0 that is log((in-degree + 1) / (n + 1)).
        ``columns``: only these genes' columns (names), in their order."""
        rows = self._candidate_row.reindex(pd.Index(regulators)).to_numpy()
        if np.isnan(rows).any():
            missing = pd.Index(regulators)[np.isnan(rows)]
            raise GRNInputError(f"{len(missing)} regulators were not candidates of the co-expressed TFs' targets, "
                                f"e.g. {missing[0]!r}")
        targets = self._targets
        if columns is not None:
            targets = targets[:, GeneTable(np.asarray(self.genes, dtype=object)).gene_rows(columns, "the columns")]
        return self._log_share(rows.astype(np.int64), self.beta, targets)

    def _correlation(self, rows):
        """Candidates at ``rows`` x known regulators; -inf where they are the same gene."""
        correlation = np.nan_to_num(self._unit[rows] @ self._unit[self._known_rows].T)
        own = pd.Index(self._known_rows).get_indexer(rows)
        correlation[np.flatnonzero(own >= 0), own[own >= 0]] = -np.inf
        return correlation

    def _log_share(self, rows, beta, targets=None):
        targets = self._targets if targets is None else targets
        out = np.empty((len(rows), targets.shape[1]))
        for start in range(0, len(rows), ROWS_AT_ONCE):  # the correlations of a block at a time
            correlation = self._correlation(rows[start:start + ROWS_AT_ONCE])
            share = (targets.T @ softmax_weights(correlation, beta).T).T
            n = np.isfinite(correlation).sum(axis=1, keepdims=True)
            out[start:start + ROWS_AT_ONCE] = np.log((n * share + 1.0) / (n + 1.0))
        return out

    def pair_log_share(self, X):
        """:meth:`log_share` of each (regulator, target) pair of ``X`` (two
        columns of gene names)."""
        X = pd.DataFrame(X)
        regulators, position = np.unique(X.iloc[:, 0].astype(str), return_inverse=True)
        targets = GeneTable(np.asarray(self.genes, dtype=object)).gene_rows(X.iloc[:, 1], "the pairs' targets")
        return self.log_share(regulators)[position, targets]

    def _chosen_beta(self, known, random_state, keep_genes=None):
        choosers = np.arange(self.n_known)
        if len(choosers) > MAX_CHOOSERS:
            choosers = np.sort(np.random.default_rng(random_state).choice(choosers, MAX_CHOOSERS, replace=False))
        # Only the genes a left-out regulator is ranked among are scored: on a genome's
        # reversed network that is its 1,170 TFs, not its 20,000 genes (the same AUROCs).
        if keep_genes is None:
            targets, column_genes = self._targets, self.genes
        else:
            columns = np.flatnonzero(keep_genes)
            targets, column_genes = self._targets[:, columns], self.genes[columns]
        aurocs = []
        for start in range(0, len(choosers), CHOOSERS_AT_ONCE):  # dense (choosers x genes) a block at a time
            block = choosers[start:start + CHOOSERS_AT_ONCE]
            y = targets[block].toarray()
            # the regulator's own gene is no pair of its
            own = column_genes.get_indexer(known[block])
            keep = np.ones(y.shape, dtype=bool)
            keep[np.arange(len(block))[own >= 0], own[own >= 0]] = False
            y = y * keep
            n_pos = y.sum(axis=1)
            usable = (n_pos > 0) & (n_pos < keep.sum(axis=1))
            if usable.any():
                rows = self._candidate_row[known[block][usable]].to_numpy()
                aurocs.append([row_auroc(self._log_share(rows, beta, targets), y[usable], keep[usable])
                               for beta in BETAS])
        return chosen_beta(np.concatenate(aurocs, axis=1)) if aurocs else 0.0


class CoexpressedRegulators:
    """The twin for a gene the prior has no edge into: the share of the genes with
    known regulators that each regulator regulates, each gene weighed by
    softmax(beta x its correlation with the gene), i.e. :class:`CoexpressedTargets`
    of the reversed network. beta is chosen as there, each left-out target ranking
    its regulators among the ``regulators``."""

    def __init__(self, transfer, regulators):
        self._transfer = transfer
        self.regulators = pd.Index(regulators)

    @property
    def beta(self):
        return self._transfer.beta

    @classmethod
    def fit(cls, genes, profiles, edges, candidates, regulators, beta=None, random_state=0):
        """From the known ``edges``, for the ``candidates`` (target names) and the
        ``regulators`` whose pairs will be asked for (as :meth:`CoexpressedTargets.fit`)."""
        reversed_edges = edges[["regulator", "target"]].set_axis(["target", "regulator"], axis=1)
        return cls(CoexpressedTargets.fit(genes, profiles, reversed_edges, candidates, beta, random_state,
                                          choice_targets=regulators), regulators)

    def log_share(self, targets, regulators=None):
        """(regulators x targets) log of the weighted share (default: every regulator)."""
        regulators = self.regulators if regulators is None else regulators
        return self._transfer.log_share(targets, columns=regulators).T

    def pair_log_share(self, X):
        """:meth:`log_share` of each (regulator, target) pair of ``X`` (only the
        pairs' regulators' columns are made: a genome's targets x genes would not fit)."""
        X = pd.DataFrame(X)
        regulators, regulator_position = np.unique(X.iloc[:, 0].astype(str), return_inverse=True)
        targets, target_position = np.unique(X.iloc[:, 1].astype(str), return_inverse=True)
        return self._transfer.log_share(targets, columns=regulators)[target_position, regulator_position]


def chosen_beta(aurocs):
    """The beta of :data:`BETAS` with the best mean of the left-out regulators'
    AUROCs (``len(BETAS)`` x regulators); a tie keeps the smaller beta."""
    return float(BETAS[int(np.argmax(np.mean(aurocs, axis=1)))])
