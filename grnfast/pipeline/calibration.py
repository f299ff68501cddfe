"""Edge probabilities that mean the same thing for every model.

A model's own probability is on its own scale (a late-interaction model may
never exceed 0.08 where a two-tower model reaches 0.95 on the same pairs). The
written weight is instead the model's score calibrated on the run's validation
pairs (known edges held out of training, and sampled negatives): scikit-learn's
``CalibratedClassifierCV`` over the frozen model (never refitted), Platt's
sigmoid by default (:data:`DEFAULT_METHOD`; chosen on the reliability on
held-out test pairs, docs/guide.md). The estimators' ``predict_proba`` is left
as it is.

What the calibrated probability estimates: the chance that a pair with this
score is a known edge, among pairs drawn as the validation pairs are, that is at
the validation prevalence (``EdgeCalibration.prevalence``, 0.5 with one
negative per positive), not the genome-wide one. No correction is applied: the
genome-wide prevalence of true edges is unknown (a prior lists a fraction of
them). :meth:`EdgeCalibration.at_prevalence` gives the odds-shifted estimate for
a prevalence the user believes (Saerens et al., Neural Computation 2002).
"""
from dataclasses import dataclass

import numpy as np

from ..errors import GRNInputError

METHODS = ("sigmoid", "isotonic")
DEFAULT_METHOD = "sigmoid"


@dataclass
class EdgeCalibration:
    """A fitted map from a model's log-odds to a calibrated edge probability.

    method : "sigmoid" (Platt) or "isotonic".
    prevalence : the fraction of positives among the calibration pairs.
    n_pairs : how many pairs it was fitted on.
    calibrator : scikit-learn's fitted calibrator of the model's decision function.
    increasing : whether that calibrator rises with the score. The written list is
        the model's ranking, so its weights must not rise down the list: a sigmoid
        fitted to a model that ranks the validation pairs worse than chance falls,
        and then every pair gets the validation prevalence (what a non-decreasing
        map fits to such scores).
    """
    method: str
    prevalence: float
    n_pairs: int
    calibrator: object
    increasing: bool = True

    def probability(self, logits):
        """Calibrated probabilities of edges scored ``logits`` (the model's
        ``decision_function``, or :func:`grnfast.scoring.rank_edges` with
        ``weight="logit"``); non-decreasing in the logits, so a ranking is kept."""
        logits = np.asarray(logits, dtype=np.float64)
        if not self.increasing:
            return np.full(logits.shape, self.prevalence)
        return np.clip(self.calibrator.predict(logits), 0.0, 1.0)

    def at_prevalence(self, probability, prevalence):
        """``probability`` (at :attr:`prevalence`) shifted to another prevalence:
        the odds times the ratio of the two prevalences' odds."""
        if not 0 < prevalence < 1:
            raise GRNInputError(f"prevalence must be between 0 and 1 (exclusive); got {prevalence!r}")
        p = np.asarray(probability, dtype=np.float64)
        shift = (prevalence / (1 - prevalence)) / (self.prevalence / (1 - self.prevalence))
        return p * shift / (p * shift + (1 - p))


def fit_calibration(model, X, y, method=DEFAULT_METHOD):
    """Calibrate a fitted ``model`` on labelled pairs ``X``, ``y`` (the run's
    validation pairs) without refitting it."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection import PredefinedSplit

    if method not in METHODS:
        raise GRNInputError(f"calibration method must be one of {', '.join(METHODS)}; got {method!r}")
    y = np.asarray(y)
    if len(np.unique(y)) != 2:
        raise GRNInputError(f"calibration needs both known edges and negatives among the {len(y)} validation pairs")
    # A frozen model scores every fold alike, so one fold holding every pair fits
    # the same calibrator as the default 5 folds without needing 5 pairs of each
    # class (a small prior leaves a handful of validation pairs).
    one_fold = PredefinedSplit(np.zeros(len(y)))
    calibrated = CalibratedClassifierCV(FrozenEstimator(model), method=method, cv=one_fold).fit(X, y)
    # One calibrator of the positive class's decision function: applied to logits
    # directly, a genome-wide list is calibrated without scoring its pairs again.
    calibrator = calibrated.calibrated_classifiers_[0].calibrators[0]
    scores = np.sort(model.decision_function(X))
    increasing = bool(np.all(np.diff(calibrator.predict(scores)) >= 0))
    return EdgeCalibration(method, float(np.mean(y)), len(y), calibrator, increasing)


def reliability(probability, y, n_bins=5):
    """Mean calibrated probability and observed rate of positives in ``n_bins``
    bins of equal count, and the count-weighted mean absolute gap between them
    (the expected calibration error). Returns ``(table, error)``."""
    import pandas as pd

    probability, y = np.asarray(probability, dtype=np.float64), np.asarray(y, dtype=np.float64)
    order = np.argsort(probability, kind="stable")
    bins = np.empty(len(order), dtype=np.int64)
    bins[order] = np.arange(len(order)) * n_bins // len(order)
    table = (pd.DataFrame({"bin": bins, "predicted": probability, "observed": y})
             .groupby("bin").agg(pairs=("observed", "size"), predicted=("predicted", "mean"),
                                 observed=("observed", "mean")))
    error = float(np.average((table.predicted - table.observed).abs(), weights=table.pairs))
    return table, error
