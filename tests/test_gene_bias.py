"""gene_bias: a learned propensity per gene and role in the logit (csrc/models/gene_bias.hpp).
Its gradient is checked with the other parameter groups (test_gradients.py) and its
scoring paths against each other in test_network.py; here, what it learns."""
import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from grnfast import CrossEncoderClassifier, LateInteractionClassifier, TwoTowerClassifier

MODELS = [TwoTowerClassifier, CrossEncoderClassifier, LateInteractionClassifier]
SMALL = dict(embedding_dim=8, hidden_layer_sizes=(16, 8), max_iter=30, random_state=0, n_jobs=1,
             random_negative_ratio=0.0, learning_rate_init=1e-2)


def propensity_task(n_genes=60, n_pairs=6000, seed=0):
    """Labels from each gene's propensity alone: P(edge) = sigmoid(a_regulator +
    b_target), features pure noise; genes 50-59 appear in no pair."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(0, 1.5, n_genes), rng.normal(0, 1.5, n_genes)
    pairs = rng.integers(0, 50, (n_pairs, 2))
    y = (rng.random(n_pairs) < 1 / (1 + np.exp(-(a[pairs[:, 0]] + b[pairs[:, 1]])))).astype(int)
    features = pd.DataFrame(rng.standard_normal((n_genes, 3)), index=[f"g{i}" for i in range(n_genes)])
    return features, pairs, y, a, b


@pytest.mark.parametrize("cls", MODELS)
def test_the_biases_learn_each_genes_propensity_and_unseen_genes_keep_none(cls):
    features, pairs, y, a, b = propensity_task()
    model = cls(node_features=features, gene_bias=True, **SMALL).fit(pairs, y)
    bias = model.network_.named_parameters()["gene_bias"]
    assert bias.shape == (60, 2)
    seen = model.seen_genes_
    assert not bias[~seen[:, 0], 0].any() and not bias[~seen[:, 1], 1].any()  # never trained: still 0
    assert spearmanr(bias[:50, 0], a[:50]).statistic > 0.8
    assert spearmanr(bias[:50, 1], b[:50]).statistic > 0.8


def test_off_by_default_and_absent_from_the_layout():
    features, pairs, y, _, _ = propensity_task()
    model = TwoTowerClassifier(node_features=features, **{**SMALL, "max_iter": 1}).fit(pairs, y)
    assert "gene_bias" not in model.network_.named_parameters()
