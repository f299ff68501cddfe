"""The public fitted network (``network_``): the one scoring interface of every
estimator and of the seed ensemble."""
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from grnfast import (CrossEncoderClassifier, GRNInputError, LateInteractionClassifier, SeedEnsembleClassifier,
                     TwoTowerClassifier)
from grnfast.analysis import prune
from grnfast.scoring import iter_score_blocks, rank_edges

RNG = np.random.default_rng(0)
FEATURES = pd.DataFrame(RNG.normal(size=(30, 3)), index=[f"g{i}" for i in range(30)])
PAIRS = RNG.integers(0, 30, (400, 2))
Y = (FEATURES.to_numpy()[PAIRS[:, 0], 0] > FEATURES.to_numpy()[PAIRS[:, 1], 1]).astype(int)
SMALL = dict(embedding_dim=8, hidden_layer_sizes=(16, 8), max_iter=3, random_state=0, n_jobs=1)
MODELS = [TwoTowerClassifier, CrossEncoderClassifier, LateInteractionClassifier]
# Each model as it is by default, and with the feature interaction (its own block of
# the first layer in the cross-encoder's grid scoring, a skip in the towers) and the
# gene biases (added after the grid in every scoring path).
VARIANTS = [(cls, extra) for cls in MODELS for extra in ({}, {"feature_interaction": True, "gene_bias": True})]


@pytest.fixture(scope="module", params=VARIANTS, ids=lambda v: v[0].__name__ + ("+features" if v[1] else ""))
def model(request):
    cls, extra = request.param
    return cls(node_features=FEATURES, **SMALL, **extra).fit(PAIRS, Y)


def test_network_scores_as_the_estimator(model):
    network = model.network_
    assert network.spec == model.spec_ and network.genes.n_genes == 30
    rows = network.genes.rows(PAIRS)
    np.testing.assert_array_equal(network.predict_logits(rows).astype(np.float64), model.decision_function(PAIRS))
    regs, tgts = np.arange(30), np.arange(30)
    grid = np.concatenate([logits for _, _, logits in network.score_blocks(regs, tgts, block_size=7)])
    np.testing.assert_allclose(grid[PAIRS[:, 0], PAIRS[:, 1]], model.decision_function(PAIRS), rtol=1e-5, atol=1e-5)


def test_network_results_do_not_depend_on_threads(model):
    rows = model.network_.genes.rows(PAIRS)
    one = model.set_params(n_jobs=1).network_
    two = model.set_params(n_jobs=2).network_
    np.testing.assert_array_equal(one.predict_logits(rows), two.predict_logits(rows))
    for a, b in zip(one.layer_outputs(rows).values(), two.layer_outputs(rows).values()):
        np.testing.assert_array_equal(a, b)
    model.set_params(n_jobs=1)


def test_tower_outputs_and_layers(model):
    network = model.network_
    rows = network.genes.rows(PAIRS[:20])
    layers = network.layer_outputs(rows)
    if network.has_towers:
        u = network.tower_outputs(np.arange(30), "regulator")
        v = network.tower_outputs(np.arange(30), "target")
        vectors = (network.spec["n_vectors"],) if network.kind == "late_interaction" else ()
        assert u.shape == v.shape == (30, *vectors, 8)
        assert set(layers) >= {"regulator_tower.0", "target_tower.1"}
        with pytest.raises(ValueError, match="role must be"):
            network.tower_outputs(np.arange(3), "both")
    else:
        assert set(layers) >= {"head.0", "head.1"}
        with pytest.raises(TypeError, match="needs a two-tower or late-interaction network"):
            network.tower_outputs(np.arange(3), "regulator")


def test_pruned_network_and_with_network(model):
    network = model.network_
    keep = {name: np.arange(4) for stack in network.hidden_layers() for name in stack}
    smaller = network.pruned(keep)
    assert smaller.spec["hidden"][0] == 4 and smaller.params.size < network.params.size
    copy = model.with_network(smaller)
    assert copy.hidden_layer_sizes[0] == 4 and copy.n_parameters_ == smaller.params.size
    np.testing.assert_array_equal(copy.decision_function(PAIRS), smaller.predict_logits(smaller.genes.rows(PAIRS)))
    assert model.n_parameters_ == network.params.size  # the original is untouched
    np.testing.assert_array_equal(prune(model, 0.5, PAIRS).network_.spec["hidden"][:1], [8])


def test_ensemble_exposes_the_same_scoring_interface():
    ens = SeedEnsembleClassifier(CrossEncoderClassifier(node_features=FEATURES, **SMALL), n_estimators=2,
                                 random_state=0).fit(PAIRS, Y)
    network = ens.network_
    np.testing.assert_array_equal(network.predict_logits(network.genes.rows(PAIRS)), ens.decision_function(PAIRS))
    edges = rank_edges(ens, top_k=2)
    assert len(edges) == 60 and np.isfinite(edges.EdgeWeight).all()


def test_unfitted_models_have_no_network():
    for model in (TwoTowerClassifier(), SeedEnsembleClassifier()):
        assert not hasattr(model, "network_")
        with pytest.raises(NotFittedError):
            model.network_


def test_scoring_refuses_bad_block_sizes_and_non_finite_scores():
    model = CrossEncoderClassifier(node_features=FEATURES, **SMALL).fit(PAIRS, Y)
    for block_size in (0, -3, 2.5, True):
        with pytest.raises(GRNInputError, match="block_size must be a positive integer"):
            list(iter_score_blocks(model, block_size=block_size))
    with pytest.raises(GRNInputError, match="top_k must be a positive integer"):
        rank_edges(model, top_k=0)
    broken = model.with_network(model.network_)
    broken.params_ = broken.params_.copy()
    broken.params_[:] = np.nan
    with pytest.raises(FloatingPointError, match=r"gives 900 non-finite scores .* 'g0' -> 'g0'"):
        rank_edges(broken, block_size=30)
