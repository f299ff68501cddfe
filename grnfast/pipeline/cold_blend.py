"""The targets of a TF the prior has no edge for: the model's score and the
targets of the TFs it is co-expressed with, weighed as TFs held out of a
training say.

A model scores a TF without known edges from what it learnt of the others; the
other evidence is the other TFs' edges: the share of the regulators with known
edges that regulate the target, each weighed by its co-expression with the TF
(:class:`~.coexpressed_targets.CoexpressedTargets`; with beta 0, the target's
in-degree). Which of the two ranks such a TF's targets better depends on the
prior (docs/evaluation.md, "TFs the prior lacks"). :class:`ColdBlend` weighs them
by a logistic regression on labelled pairs of TFs a model never saw as
regulators (``infer``'s check: the validation TFs of a second training, never its
test TFs). Its two inputs are the model's log-odds and the log of that share: in
the check, over its training's edges with the beta they choose (the held-out
TFs' own edges must not count); in the run, over the whole prior
(:func:`prior_targets`) with the check's beta, since no known edge is a
TF-without-edges' own. A share rather than a count, so that a blend fitted on the
check's smaller training applies to the run's prior (over the training edges
alone the run's network ranked the validation TFs of
``bench/infer_held_out_tfs.py`` lower on every benchmark: docs/evaluation.md). A
weight that comes out negative is dropped and the other input refitted alone:
such a weight would rank against its own evidence for TFs it was not fitted on.
Its probability is calibrated at the prevalence of those pairs (a TF x every gene).

The same blend serves genes the prior has no edge into (``side="targets"``): its
second input is then the share of the genes with known regulators that the
regulator regulates, each weighed by its co-expression with the gene
(:class:`~.coexpressed_targets.CoexpressedRegulators`, :func:`prior_regulators`),
fitted on held-out genes (:mod:`.unknown_targets`). In a run's network those
columns get the blend's probability and every other pair of the regulator its
calibrated one (:meth:`ColdBlend.target_scorer`), so one ranking holds both.
"""
from dataclasses import dataclass

import numpy as np

from ..genes import GeneTable
from .coexpressed_targets import CoexpressedRegulators, CoexpressedTargets
from .networks import correlation_profiles

SIDES = ("regulators", "targets")


def prior_targets(dataset, beta):
    """The co-expressed TFs' targets over every known edge of ``dataset`` (the
    whole prior) at ``beta``, for its candidate regulators. For a TF without
    edges, none of them is its own, so none of them leaks its answer."""
    return CoexpressedTargets.fit(dataset.genes, correlation_profiles(dataset)[0], dataset.edges,
                                  dataset.regulators, beta=beta)


def prior_regulators(dataset, beta):
    """The co-expressed genes' regulators over every known edge of ``dataset`` at
    ``beta``, for its genes without a known regulator and its candidate regulators
    (one without edges regulates none of the genes: its share is the floor)."""
    known = dataset.known_targets
    return CoexpressedRegulators.fit(dataset.genes, correlation_profiles(dataset)[0], dataset.edges,
                                     dataset.genes[~dataset.genes.isin(known)], dataset.regulators, beta=beta)


@dataclass(frozen=True)
class ColdBlend:
    """``logit = intercept + model_weight x model log-odds + share_weight x log
    share`` (:meth:`~.coexpressed_targets.CoexpressedTargets.log_share` at
    ``beta``), fitted on ``n_pairs`` pairs at ``prevalence``; ``side``: for
    regulators without edges (the co-expressed TFs' targets) or for targets
    without edges (the co-expressed genes' regulators)."""
    intercept: float
    model_weight: float
    share_weight: float
    beta: float
    n_pairs: int
    prevalence: float
    side: str = "regulators"

    @classmethod
    def fit(cls, model_logits, share, y, beta, side="regulators"):
        """Fitted on labelled pairs: the model's log-odds, the log share at
        ``beta`` and the labels (both classes needed)."""
        if side not in SIDES:
            raise ValueError(f"side must be one of {SIDES}; got {side!r}")
        from sklearn.linear_model import LogisticRegression

        X = np.column_stack([model_logits, share]).astype(np.float64)
        y = np.asarray(y)
        prevalence = float(np.mean(y))
        used = [0, 1]
        while used:
            fitted = LogisticRegression().fit(X[:, used], y)
            weights = dict(zip(used, fitted.coef_[0]))
            negative = [column for column in used if weights[column] < 0]
            if not negative:
                return cls(float(fitted.intercept_[0]), float(weights.get(0, 0.0)), float(weights.get(1, 0.0)),
                           float(beta), len(y), prevalence, side)
            used.remove(negative[0])
        # neither input ranks these pairs the right way round: every pair at their prevalence
        return cls(float(np.log(prevalence / (1 - prevalence))), 0.0, 0.0, float(beta), len(y), prevalence, side)

    def logits(self, model_logits, share):
        return self.intercept + self.model_weight * np.asarray(model_logits, np.float64) + self.share_weight * share

    def describe(self):
        if self.side == "regulators":
            held_out, share = "TFs", "regulators regulating the target, each weighed by softmax({} x its correlation " \
                                     "with the TF)"
        else:
            held_out, share = "genes", "genes with known regulators that the regulator regulates, each weighed by " \
                                       "softmax({} x its correlation with the target)"
        return (f"the probability of a logistic regression (fitted on {self.n_pairs} pairs of held-out {held_out} "
                f"at prevalence {self.prevalence:.3f}) on the model's log-odds (weight {self.model_weight:.3f}) and "
                f"the log share of {share.format(f'{self.beta:g}')} (weight {self.share_weight:.3f})")

    def scorer(self, model, targets):
        """``model`` with this blend's log-odds for every pair (what
        :func:`grnfast.scoring.rank_edges` ranks), the shares from ``targets`` (a
        :class:`~.coexpressed_targets.CoexpressedTargets` at this blend's beta:
        in a run, :func:`prior_targets`)."""
        return BlendedModel(model, self, targets)

    def target_scorer(self, model, calibration, regulators, targets):
        """``model`` whose pairs into one of ``targets`` (genes without known
        regulators) get this blend's probability (``side="targets"``; the shares
        from ``regulators``, a :class:`~.coexpressed_targets.CoexpressedRegulators`
        at this blend's beta: in a run, :func:`prior_regulators`) moved from its
        prevalence to ``calibration``'s, and every other pair its probability
        calibrated by ``calibration``: one scale, so that
        :func:`~grnfast.scoring.rank_edges` ranks (and keeps the top k of) both
        together. Only the regulators of ``regulators`` can be scored."""
        return TargetBlendedModel(model, self, calibration, regulators, targets)


class BlendedModel:
    """A fitted model whose scores are a :class:`ColdBlend` of its log-odds and the
    co-expressed TFs' targets; :func:`~grnfast.scoring.rank_edges` reads its
    ``network_``, a stand-in for the model's that blends every block."""

    def __init__(self, model, blend, targets):
        genes = model.network_.genes
        rows = GeneTable(np.asarray(targets.genes, dtype=object)).gene_rows(
            genes.labels(np.arange(genes.n_genes)), "the model's genes")
        self.network_ = _BlendedNetwork(model.network_, blend, targets, rows)


class _BlendedNetwork:
    def __init__(self, network, blend, targets, rows):
        self.network, self.blend, self.targets, self.rows = network, blend, targets, rows

    @property
    def genes(self):
        return self.network.genes

    def score_blocks(self, regulators, targets, block_size):
        for regs, tgts, logits in self.network.score_blocks(regulators, targets, block_size):
            share = self.targets.log_share(self.genes.labels(regs))[:, self.rows[tgts]]
            yield regs, tgts, self.blend.logits(logits, share).astype(np.float32)


class TargetBlendedModel:
    """A fitted model whose scores are the log-odds of :meth:`ColdBlend.target_scorer`'s
    probabilities (float64); :func:`~grnfast.scoring.rank_edges` reads its ``network_``."""

    def __init__(self, model, blend, calibration, regulators, targets):
        self.network_ = _TargetBlendedNetwork(model.network_, blend, calibration, regulators, targets)


_TINY, _EPSILON = np.finfo(np.float64).tiny, np.finfo(np.float64).epsneg


def _log_odds(p):
    return np.log(p) - np.log1p(-p)


class _TargetBlendedNetwork:
    def __init__(self, network, blend, calibration, regulators, targets):
        self.network, self.blend, self.calibration = network, blend, calibration
        # the blend's log-odds at its pairs' prevalence, moved to the calibration's
        self.shift = float(_log_odds(calibration.prevalence) - _log_odds(blend.prevalence))
        genes = network.genes
        # gene row -> its column of the shares (-1: a gene with known regulators), its row as a regulator
        self.share_column = np.full(genes.n_genes, -1, dtype=np.int64)
        self.share_column[genes.gene_rows(targets, "the genes without known regulators")] = np.arange(len(targets))
        self.share_row = np.full(genes.n_genes, -1, dtype=np.int64)
        self.share_row[genes.gene_rows(regulators.regulators, "the regulators")] = \
            np.arange(len(regulators.regulators))
        self.share = regulators.log_share(targets).astype(np.float32)  # regulators x genes without edges

    @property
    def genes(self):
        return self.network.genes

    def score_blocks(self, regulators, targets, block_size):
        columns = self.share_column[targets]
        cold = columns >= 0
        for regs, tgts, logits in self.network.score_blocks(regulators, targets, block_size):
            rows = self.share_row[regs]
            if (rows < 0).any():
                raise ValueError(f"{int((rows < 0).sum())} regulators are not among those the shares were made for")
            p = self.calibration.probability(logits.ravel()).reshape(logits.shape)
            out = _log_odds(np.clip(p, _TINY, 1 - _EPSILON))  # a calibrated 0 or 1 stays finite
            share = self.share[np.ix_(rows, columns[cold])]
            out[:, cold] = self.blend.logits(logits[:, cold], share) + self.shift
            yield regs, tgts, out
