"""An ensemble of one model trained from several seeds, probabilities averaged."""
import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from scipy.special import expit, logit
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..genes import effective_threads
from .cross_encoder import CrossEncoderClassifier


class EnsembleNetwork:
    """The members' fitted networks as one scorer, with the scoring interface of
    :class:`~grnfast.models.network.FittedNetwork`: the log-odds of the members'
    mean probability."""

    def __init__(self, members):
        self.members = members
        self.genes = members[0].genes

    def predict_logits(self, rows):
        p = np.mean([expit(m.predict_logits(rows).astype(np.float64)) for m in self.members], axis=0)
        return logit(np.clip(p, 1e-15, 1 - 1e-15))

    def score_blocks(self, regulator_rows, target_rows, block_size=64):
        """Blocks as :meth:`FittedNetwork.score_blocks`, float32 log-odds of the mean probability."""
        members = [m.score_blocks(regulator_rows, target_rows, block_size) for m in self.members]
        for blocks in zip(*members):
            mean = np.mean([expit(logits.astype(np.float64)) for _, _, logits in blocks], axis=0)
            yield blocks[0][0], blocks[0][1], logit(np.clip(mean, 1e-15, 1 - 1e-15)).astype(np.float32)


def _fit_member(estimator, X, y, fit_params):
    return estimator.fit(X, y, **fit_params)


class SeedEnsembleClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Train ``n_estimators`` copies of a classifier with different seeds and
    average their probabilities (the published setting: 5 models).

    Members train in parallel through joblib, so the same code runs on local
    processes or, inside ``joblib.parallel_config(backend="dask")``, on a Dask
    cluster. Each member's OpenMP threads are capped so that jobs x threads does
    not exceed the cores (members whose ``n_jobs`` is set explicitly keep it).
    Results do not depend on either, since each member is bit-identical for any
    thread count.

    Parameters
    ----------
    estimator : estimator, default=None
        The model to repeat; ``None`` means ``CrossEncoderClassifier()``.
    n_estimators : int, default=5
        Number of seeds.
    random_state : int, RandomState instance or None, default=None
        Draws the members' seeds.
    n_jobs : int or None, default=None
        Members trained at once (joblib semantics).

    Attributes
    ----------
    estimators_ : list of fitted estimators
    seeds_ : ndarray of int, the members' random_state values
    classes_ : ndarray of shape (2,)
    """

    def __init__(self, estimator=None, *, n_estimators=5, random_state=None, n_jobs=None):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _base(self):
        return self.estimator if self.estimator is not None else CrossEncoderClassifier()

    def fit(self, X, y, **fit_params):
        """Fit every member on the same data; ``fit_params`` go to each member's fit."""
        if isinstance(self.n_estimators, bool) or not isinstance(self.n_estimators, (int, np.integer)) or self.n_estimators < 1:
            raise ValueError(f"n_estimators must be a positive integer; got {self.n_estimators!r}")
        seeds = check_random_state(self.random_state).randint(np.iinfo(np.int32).max, size=self.n_estimators)
        jobs = min(effective_n_jobs(self.n_jobs), self.n_estimators)
        members = []
        for seed in seeds:
            member = clone(self._base()).set_params(random_state=int(seed))
            if jobs > 1 and "n_jobs" in member.get_params() and member.get_params()["n_jobs"] is None:
                member.set_params(n_jobs=max(1, effective_threads(None) // jobs))
            members.append(member)
        self.estimators_ = Parallel(n_jobs=jobs)(delayed(_fit_member)(m, X, y, fit_params) for m in members)
        self.seeds_ = seeds
        self.classes_ = self.estimators_[0].classes_
        for attr in ("n_features_in_", "genes_", "n_genes_"):  # the members' shared gene table
            if hasattr(self.estimators_[0], attr):
                setattr(self, attr, getattr(self.estimators_[0], attr))
        return self

    @property
    def network_(self):
        """The members' networks as one scorer (:class:`EnsembleNetwork`)."""
        check_is_fitted(self, "estimators_")
        return EnsembleNetwork([m.network_ for m in self.estimators_])

    def predict_proba(self, X):
        """Mean of the members' probabilities."""
        check_is_fitted(self, "estimators_")
        return np.mean([m.predict_proba(X) for m in self.estimators_], axis=0)

    def decision_function(self, X):
        """Log-odds of the averaged probability (finite: clipped away from 0 and 1)."""
        p = np.clip(self.predict_proba(X)[:, 1], 1e-15, 1 - 1e-15)
        return logit(p)

    def predict(self, X):
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)]
