"""What every study runs on: one gene table and labelled train / validation / test
pairs, plus the evaluation of fitted scorers with the baselines beside them."""
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..evaluation import DegreeBaseline, ExpressionBaseline, best_f1_threshold, evaluate


@dataclass
class PairTask:
    """Labelled pairs of one data set, split three ways.

    ``X_*`` are (n, 2) arrays of row indices into ``node_features`` (or two-column
    DataFrames of gene names in its index); ``y_*`` are 0/1 labels.
    """

    name: str
    node_features: pd.DataFrame
    X_train: object
    y_train: np.ndarray
    X_val: object
    y_val: np.ndarray
    X_test: object
    y_test: np.ndarray
    notes: dict = field(default_factory=dict)

    @property
    def test_prevalence(self):
        return float(np.mean(self.y_test))

    def fit(self, estimator, **fit_params):
        """Fit on the training pairs, early-stopping on the validation pairs (an
        ensemble passes them on to each member)."""
        return estimator.fit(self.X_train, self.y_train, eval_set=(self.X_val, self.y_val), **fit_params)


def score_of(estimator, X):
    return estimator.predict_proba(X)[:, 1]


def evaluate_on_test(task, estimator, X=None, y=None):
    """Test metrics of a fitted scorer, thresholds at 0.5 and at the best
    validation F1 (``f1_best``)."""
    X = task.X_test if X is None else X
    y = task.y_test if y is None else y
    metrics = evaluate(y, score_of(estimator, X))
    threshold = best_f1_threshold(task.y_val, score_of(estimator, task.X_val))
    metrics["f1_best"] = evaluate(y, score_of(estimator, X), threshold=threshold)["f1"]
    return metrics


def baselines(task):
    """The training-free degree baseline and an expression-only classical model,
    fitted on the training pairs: reported beside every model."""
    fitted = {"degree baseline": DegreeBaseline(node_features=task.node_features).fit(task.X_train, task.y_train)}
    if task.node_features.shape[1] > 0:
        fitted["expression baseline"] = ExpressionBaseline(node_features=task.node_features, random_state=0).fit(
            task.X_train, task.y_train
        )
    return fitted
