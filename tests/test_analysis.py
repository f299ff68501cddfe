"""Effective rank, representations and structured pruning."""
import numpy as np
import pandas as pd
import pytest

from grnfast import CrossEncoderClassifier, TwoTowerClassifier
from grnfast.analysis import effective_rank, neuron_importance, prune, representations

FAST = dict(embedding_dim=8, hidden_layer_sizes=(32, 16, 8), max_iter=8, early_stopping=False, random_state=0)


def test_effective_rank_known_cases():
    assert effective_rank(np.outer(np.arange(1, 6), np.arange(1, 4))) == pytest.approx(1.0)
    assert effective_rank(np.eye(7)) == pytest.approx(7.0)
    assert 1.0 < effective_rank(np.diag([10.0, 1.0, 0.1])) < 3.0
    with pytest.raises(ValueError):
        effective_rank(np.zeros((0, 3)))


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    features = pd.DataFrame(rng.normal(size=(60, 4)), index=[f"g{i}" for i in range(60)])
    pairs = rng.integers(0, 60, (1500, 2))
    y = (features.to_numpy()[pairs[:, 0], 0] + features.to_numpy()[pairs[:, 1], 1] > 0).astype(int)
    return features, pairs, y


@pytest.mark.parametrize("model", [TwoTowerClassifier, CrossEncoderClassifier])
def test_representations_have_the_layer_shapes(model, data):
    features, pairs, y = data
    est = model(node_features=features, **FAST).fit(pairs, y)
    reps = representations(est, pairs[:100])
    assert reps["embedding"].shape == (60, 8)
    widths = {name: r.shape for name, r in reps.items() if name != "embedding"}
    if model is CrossEncoderClassifier:
        assert widths == {"head.0": (100, 32), "head.1": (100, 16), "head.2": (100, 8), "head.3": (100, 1)}
        np.testing.assert_allclose(reps["head.3"][:, 0], est.decision_function(pairs[:100]), rtol=1e-5, atol=1e-5)
    else:
        assert widths["regulator_tower.2"] == (100, 8) and widths["target_tower.0"] == (100, 32)
    for r in reps.values():
        assert 1.0 <= effective_rank(r) <= min(r.shape) + 1e-9


@pytest.mark.parametrize("model", [TwoTowerClassifier, CrossEncoderClassifier])
def test_pruning_zero_keeps_the_model_and_pruning_shrinks_it(model, data):
    features, pairs, y = data
    est = model(node_features=features, **FAST).fit(pairs, y)
    same = prune(est, 0.0, pairs)
    np.testing.assert_array_equal(same.decision_function(pairs), est.decision_function(pairs))
    half = prune(est, 0.5, pairs)
    hidden = est.hidden_layer_sizes
    expected = (16, 8, 4) if model is CrossEncoderClassifier else (16, 8, 8)  # a tower's output layer stays
    assert half.hidden_layer_sizes == expected
    assert half.n_parameters_ < est.n_parameters_ and est.hidden_layer_sizes == hidden
    assert np.isfinite(half.predict_proba(pairs)).all()
    tuned = half.set_params(warm_start=True, max_iter=3).fit(pairs, y)
    assert tuned.n_parameters_ == half.n_parameters_


def test_pruning_removes_the_least_important_neurons(data):
    """A neuron that is never active contributes nothing: removing it (and only
    it) leaves the predictions unchanged."""
    features, pairs, y = data
    est = CrossEncoderClassifier(node_features=features, **{**FAST, "batch_norm": False}).fit(pairs, y)
    named = est.named_parameters()
    named["head.0.bias"][3] = -1e6  # neuron 3 of layer 0 never fires
    importance = neuron_importance(est, pairs)
    assert importance["head.0"][3] == 0 and importance["head.0"].argmin() == 3
    pruned = prune(est, 1 / 32, pairs)
    assert pruned.hidden_layer_sizes[0] == 31
    np.testing.assert_allclose(pruned.decision_function(pairs), est.decision_function(pairs), rtol=1e-5, atol=1e-5)
