"""The synthetic benchmark problem at the published reference size, its scales, and
a real training split.

Timing depends on shapes and on how often genes recur within a batch (both
models compute their first layer once per distinct gene of a batch), not on the
values. The synthetic problem draws both genes of every pair uniformly from
10,000 (about 253 distinct regulators among 256 pairs: the least repetition, the
most work), with random features and balanced labels: 11 node features, 47,388
labelled pairs of which 70% (33,172) train. ``real_split`` takes the pairs and
labels of a published BEELINE training split instead, where regulators recur as
in a real prior.
"""
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
REAL_SPLIT = "Specific/mESC 500/sample1"  # the largest published training split: 65,896 pairs, 88 regulators

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


def real_split(name=REAL_SPLIT, data=SHARED_DATA, seed=0):
    """The training pairs and labels of a published BEELINE split (``beeline-splits/<name>``),
    with random node features for its genes (values do not change the work); None
    when the data is not there."""
    folder = Path(data) / "beeline-splits" / name
    if not folder.is_dir():
        return None
    train = pd.read_csv(folder / "Train_set.csv.gz").sample(frac=1.0, random_state=seed)  # the file is sorted by label
    test = pd.read_csv(folder / "Test_set.csv.gz")
    pairs = train[["TF", "Target"]].to_numpy(np.int64)
    n_genes = int(max(pairs.max(), test[["TF", "Target"]].to_numpy().max())) + 1
    features = np.random.default_rng(seed).random((n_genes, N_FEATURES))
    return Problem(features, pairs, train["Label"].to_numpy(np.int64), test[["TF", "Target"]].to_numpy(np.int64))
