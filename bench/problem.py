"""The synthetic benchmark problem at the published reference size, and its scales.

Timing depends on shapes, not on what the numbers mean, so random genes, features
and balanced labels stand in for a real prior: 10,000 genes, 11 node features,
47,388 labelled pairs of which 70% (33,172) train.
"""
from dataclasses import dataclass

import numpy as np

N_GENES = 10_000
N_FEATURES = 11
N_LABELLED = 47_388
TRAIN_FRACTION = 0.7
SCALES = {"1/4x": 0.25, "1x": 1.0, "4x": 4.0, "16x": 16.0}


@dataclass
class Problem:
    features: np.ndarray  # (N_GENES, N_FEATURES) float64, raw (the models standardise)
    train_pairs: np.ndarray  # (n_train, 2) int64
    train_labels: np.ndarray  # (n_train,) int64, 0 or 1
    test_pairs: np.ndarray  # (n_labelled - n_train, 2) int64

    @property
    def n_train(self):
        return len(self.train_pairs)

    @property
    def all_pairs(self):
        """Every labelled pair, training and held out: what prediction is timed on."""
        return np.concatenate([self.train_pairs, self.test_pairs])


def make_problem(scale=1.0, seed=0):
    """Problem with ``scale`` times the reference number of labelled pairs."""
    rng = np.random.default_rng(seed)
    n_labelled = round(N_LABELLED * scale)
    n_train = round(TRAIN_FRACTION * n_labelled)
    pairs = rng.integers(0, N_GENES, size=(n_labelled, 2), dtype=np.int64)
    labels = rng.integers(0, 2, size=n_train, dtype=np.int64)
    features = rng.random((N_GENES, N_FEATURES))
    return Problem(features, pairs[:n_train], labels, pairs[n_train:])
