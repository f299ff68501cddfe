"""What models, baselines and studies are trained and tested on: one gene table
and labelled train / validation / test pairs."""
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


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
