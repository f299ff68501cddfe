"""The targets of a TF the prior has no edge for: the model's score and the
target's in-degree, weighed as TFs held out of a training say.

A model scores a TF without known edges from what it learnt of the others;
the prior's hub genes (target in-degree) are the other evidence, and which of
the two ranks such a TF's targets better depends on the prior
(docs/evaluation.md, "TFs the prior lacks"). :class:`ColdBlend` weighs them by a
logistic regression on labelled pairs of TFs a model never saw as regulators
(``infer``'s check: the validation TFs of a second training, never its test
TFs). Its two inputs are the model's log-odds and the log of the share of the
regulators with known edges that regulate the target: in the check, over its
training's edges (the held-out TFs' own edges must not count); in the run, over
the whole prior (:func:`prior_degree`), since no known edge is a TF-without-edges'
own. A share rather than a count, so that a blend fitted on the check's smaller
training applies to the run's prior (over the training edges alone the run's
network ranked the validation TFs of ``bench/infer_held_out_tfs.py`` lower on
every benchmark: docs/evaluation.md). A weight that comes out negative is
dropped and the other input refitted alone: such a weight would rank against its
own evidence for TFs it was not fitted on.
Its probability is calibrated at the prevalence of those pairs (a TF x every gene).
"""
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..evaluation import DegreeBaseline
from ..genes import GeneTable


def prior_degree(task, node_features):
    """A DegreeBaseline over every known edge of a run's split (its training,
    validation and test edges): the whole prior's in-degree of each target. For a
    TF without edges, none of them is its own, so none of them leaks its answer."""
    X = pd.concat([task.X_train, task.X_val, task.X_test], ignore_index=True)
    y = np.concatenate([np.asarray(task.y_train), np.asarray(task.y_val), np.asarray(task.y_test)])
    return DegreeBaseline(node_features=node_features).fit(X, y)


def log_regulator_share(degree, target_rows):
    """The log of the share of the regulators a fitted
    :class:`~grnfast.evaluation.DegreeBaseline` counted edges of that regulate each
    of ``target_rows``, smoothed by one."""
    n_regulators = int(np.count_nonzero(degree.out_degree_))
    return np.log((degree.in_degree_[np.asarray(target_rows)] + 1.0) / (n_regulators + 1.0))


def pair_share(degree, X):
    """:func:`log_regulator_share` of the targets of pairs ``X``."""
    return log_regulator_share(degree, degree._rows(X)[:, 1])


@dataclass(frozen=True)
class ColdBlend:
    """``logit = intercept + model_weight x model log-odds + degree_weight x log
    regulator share`` (:func:`log_regulator_share`), fitted on ``n_pairs`` pairs
    at ``prevalence``."""
    intercept: float
    model_weight: float
    degree_weight: float
    n_pairs: int
    prevalence: float

    @classmethod
    def fit(cls, model_logits, share, y):
        """Fitted on labelled pairs: the model's log-odds, the targets' log share
        (:func:`log_regulator_share`) and the labels (both classes needed)."""
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
                           len(y), prevalence)
            used.remove(negative[0])
        # neither input ranks these pairs the right way round: every pair at their prevalence
        return cls(float(np.log(prevalence / (1 - prevalence))), 0.0, 0.0, len(y), prevalence)

    def logits(self, model_logits, share):
        return self.intercept + self.model_weight * np.asarray(model_logits, np.float64) + self.degree_weight * share

    def describe(self):
        return (f"the probability of a logistic regression (fitted on {self.n_pairs} pairs of held-out TFs at "
                f"prevalence {self.prevalence:.3f}) on the model's log-odds (weight {self.model_weight:.3f}) and the "
                f"log share of regulators regulating the target (weight {self.degree_weight:.3f})")

    def scorer(self, model, degree):
        """``model`` with this blend's log-odds for every pair (what
        :func:`grnfast.scoring.rank_edges` ranks), the target shares from ``degree``
        (a fitted DegreeBaseline: in a run, :func:`prior_degree`)."""
        return BlendedModel(model, self, degree)


class BlendedModel:
    """A fitted model whose scores are a :class:`ColdBlend` of its log-odds and the
    targets' regulator share; :func:`~grnfast.scoring.rank_edges` reads its
    ``network_``, a stand-in for the model's that blends every block."""

    def __init__(self, model, blend, degree):
        genes = model.network_.genes
        rows = GeneTable(degree.genes_, degree.n_genes_).gene_rows(genes.labels(np.arange(genes.n_genes)),
                                                                   "the model's genes")
        self.network_ = _BlendedNetwork(model.network_, blend, log_regulator_share(degree, rows))


class _BlendedNetwork:
    def __init__(self, network, blend, share):
        self.network, self.blend, self.share = network, blend, share

    @property
    def genes(self):
        return self.network.genes

    def score_blocks(self, regulators, targets, block_size):
        for regs, tgts, logits in self.network.score_blocks(regulators, targets, block_size):
            yield regs, tgts, self.blend.logits(logits, self.share[tgts][None, :]).astype(np.float32)
