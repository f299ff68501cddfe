"""Shared negatives (``shared_negatives=True``, the two-tower family): each batch's
random negatives are the grid of k regulators x k targets drawn for it. The grid's
gradients against finite differences, the grid against the same cells given as
pairs, how the grid is sized, and fits that are the same for any thread count."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from grnfast import CrossEncoderClassifier, LateInteractionClassifier, TwoTowerClassifier
from grnfast import _core_testing as T
from grnfast.models._random_negatives import RandomNegatives, SharedGrid
from test_gradients import check_whole_model, make_spec, model_specs, seeds, whole_model_problem

tower_specs = model_specs.map(lambda d: {**d, "kind": d["kind"].replace("cross_encoder", "late_interaction")})


def grid_problem(spec, rng, k):
    """k regulators, k targets and cell weights with some cells masked (0), as the
    trainer gives them (loss_and_grad's grid arguments)."""
    return {"grid_regulators": rng.integers(0, spec.n_genes, k), "grid_targets": rng.integers(0, spec.n_genes, k),
            "grid_weights": rng.uniform(0.2, 2.0, (k, k)) * (rng.uniform(size=(k, k)) > 0.2)}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(spec_dict=tower_specs, n_vectors=st.integers(1, 3), seed=seeds, batch=st.integers(2, 6), k=st.integers(1, 4),
       graph_dim=st.sampled_from([0, 0, 3]), n_edges=st.integers(0, 10))
def test_whole_model_gradients_with_a_grid(spec_dict, n_vectors, seed, batch, k, graph_dim, n_edges):
    """Every parameter group and the node features of a batch with its grid of shared
    negatives: the towers' rows, the grid's scores (dot, cosine, MaxSim), the gene
    biases of its cells, and the loss over the given denominator."""
    assume(spec_dict["use_embeddings"] or spec_dict["n_features"] > 0)
    extra = {"n_vectors": n_vectors} if spec_dict["kind"] == "late_interaction" else {}
    spec = make_spec({**spec_dict, **extra, "graph_dim": graph_dim})
    rng, layout, params, buffers, features, pairs, y = whole_model_problem(spec, seed, batch)
    graph = dict(graph_edges=rng.integers(0, spec.n_genes, (n_edges, 2)), degree_scale=1.5) if graph_dim else {}
    grid = grid_problem(spec, rng, k)
    check_whole_model(spec, layout, params, buffers, features, pairs, y, rng, seed=seed, epoch=3,
                      denominator=batch + 2.5 * k, **grid, **graph)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(spec_dict=tower_specs, seed=seeds, batch=st.integers(2, 6), k=st.integers(1, 4))
def test_a_grid_is_its_cells_as_pairs(spec_dict, seed, batch, k):
    """Without batch norm or dropout a tower row does not depend on the others, so a
    batch with a grid has the loss and gradient of the batch with the grid's cells
    listed as pairs of label 0 (their weights rescaled to the same denominator)."""
    assume(spec_dict["use_embeddings"] or spec_dict["n_features"] > 0)
    spec = make_spec({**spec_dict, "batch_norm": False, "dropout": 0.0})
    rng, layout, params, buffers, features, pairs, y = whole_model_problem(spec, seed, batch)
    grid = grid_problem(spec, rng, k)
    denominator = batch + 3.0 * k
    loss, grad, _, feature_grad = T.loss_and_grad(spec, params, buffers, features, pairs, y, seed=seed,
                                                  feature_grad=True, denominator=denominator, **grid)
    cells = np.stack(np.meshgrid(grid["grid_regulators"], grid["grid_targets"], indexing="ij"), -1).reshape(-1, 2)
    all_pairs = np.concatenate([pairs, cells])
    n = len(all_pairs)
    weights = np.concatenate([np.ones(batch), grid["grid_weights"].ravel()]) * n / denominator
    loss_pairs, grad_pairs, _, feature_grad_pairs = T.loss_and_grad(
        spec, params, buffers, features, all_pairs, np.concatenate([y, np.zeros(k * k)]), weights, seed=seed,
        feature_grad=True)
    assert loss == pytest.approx(loss_pairs, rel=1e-12)
    np.testing.assert_allclose(grad, grad_pairs, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(feature_grad, feature_grad_pairs, rtol=1e-9, atol=1e-12)


def test_the_cross_encoder_refuses_a_grid():
    spec = make_spec({"kind": "cross_encoder", "n_genes": 5, "n_features": 0, "embedding_dim": 2, "hidden": [3]})
    rng, _, params, buffers, features, pairs, y = whole_model_problem(spec, 0, 4)
    with pytest.raises(ValueError, match="two-tower family"):
        T.loss_and_grad(spec, params, buffers, features, pairs, y, **grid_problem(spec, rng, 2))
    assert "shared_negatives" not in CrossEncoderClassifier().get_params()


def test_a_grid_gene_outside_the_table_is_refused():
    spec = make_spec({"kind": "two_tower", "n_genes": 5, "n_features": 0, "embedding_dim": 2, "hidden": [3]})
    rng, _, params, buffers, features, pairs, y = whole_model_problem(spec, 0, 4)
    grid = {**grid_problem(spec, rng, 2), "grid_targets": np.array([1, 5])}
    with pytest.raises(IndexError, match="gene index 5"):
        T.loss_and_grad(spec, params, buffers, features, pairs, y, **grid)


@pytest.mark.parametrize("n_pairs, n_edges, ratio, batch_size", [(1000, 500, 10.0, 256), (300, 300, 2.0, 64),
                                                                  (40, 20, 10.0, 256)])
def test_the_grid_keeps_the_steps_and_the_weight_of_separate_negatives(n_pairs, n_edges, ratio, batch_size):
    """An epoch takes about as many steps as with separate random negatives, and a
    batch's negatives weigh ratio x edges / pairs per given pair, in a grid of about
    that many cells."""
    rng = np.random.default_rng(0)
    edges = np.unique(rng.integers(0, 400, (n_edges, 2)), axis=0)
    edges = edges[edges[:, 0] != edges[:, 1]]
    negatives = RandomNegatives(edges, 400, ratio, seed=0)
    grid = SharedGrid(negatives, n_pairs, batch_size)
    assert grid.separate is None and grid.n_grid == negatives.n_draw
    assert grid.per_row == pytest.approx(negatives.n_draw / n_pairs)
    separate_steps = np.ceil((n_pairs + negatives.n_draw) / batch_size)
    assert abs(np.ceil(n_pairs / grid.per_batch) - separate_steps) <= max(1, 0.05 * separate_steps)
    assert grid.k ** 2 >= grid.per_row * grid.per_batch > (grid.k - 1) ** 2


def test_regulators_without_training_edges_keep_separate_negatives():
    """A TF list's regulators without a training edge are drawn as separate pairs, in
    proportion to their number; the grid draws the edges' regulators only."""
    edges = np.array([(r, t) for r in range(10) for t in range(20, 40)])
    negatives = RandomNegatives(edges, 100, 10.0, seed=0, regulators=np.arange(40))  # 30 without edges
    grid = SharedGrid(negatives, len(edges), 256)
    np.testing.assert_array_equal(grid.grid.regulators, np.arange(10))
    np.testing.assert_array_equal(grid.separate.regulators, np.arange(10, 40))
    assert grid.n_grid == round(negatives.n_draw / 4) and grid.n_grid + grid.n_separate == negatives.n_draw
    drawn = grid.separate.draw((0, 1))
    assert np.isin(drawn[:, 0], np.arange(10, 40)).all() and len(drawn) == grid.n_separate
    assert grid.per_row == pytest.approx(grid.n_grid / (len(edges) + grid.n_separate))


def test_a_table_without_free_pairs_draws_no_grid():
    """Every regulator x gene pair a training edge: nothing to draw, so no grid."""
    edges = np.array([(r, t) for r in range(3) for t in range(3) if r != t])
    assert SharedGrid(RandomNegatives(edges, 3, 10.0, seed=0), len(edges), 256).k == 0


# ---- the estimators -------------------------------------------------------------------

RNG = np.random.default_rng(1)
GENES = [f"g{i}" for i in range(80)]
FEATURES = pd.DataFrame(RNG.normal(size=(80, 4)), index=GENES)
PAIRS = np.stack([RNG.integers(0, 12, 700), RNG.integers(0, 80, 700)], 1)
PAIRS = PAIRS[PAIRS[:, 0] != PAIRS[:, 1]]
Y = (FEATURES.to_numpy()[PAIRS[:, 0], 0] * FEATURES.to_numpy()[PAIRS[:, 1], 1] > 0.3).astype(int)
SMALL = dict(embedding_dim=8, hidden_layer_sizes=(16, 8), max_iter=3, random_state=0, graph_dim=4,
             random_negative_ratio=5.0, shared_negatives=True)


NAMED_PAIRS = pd.DataFrame(PAIRS).map(GENES.__getitem__)


def fitted(cls, **params):
    return cls(FEATURES, **{**SMALL, **params}).fit(NAMED_PAIRS, Y)


@pytest.mark.parametrize("cls, extra", [(TwoTowerClassifier, {}), (LateInteractionClassifier, {"n_vectors": 3}),
                                        (TwoTowerClassifier, {"class_weight": "balanced", "embedding_dropout": 0.2,
                                                              "negative_regulators": "all", "gene_bias": True})])
def test_a_fit_with_shared_negatives_is_the_same_for_any_thread_count(cls, extra):
    one, two = fitted(cls, n_jobs=1, **extra), fitted(cls, n_jobs=2, **extra)
    np.testing.assert_array_equal(one.params_, two.params_)
    np.testing.assert_array_equal(one.buffers_, two.buffers_)
    assert one.loss_curve_ == two.loss_curve_ and np.isfinite(one.loss_curve_).all()
    # ... and a fit that differs from separate random negatives'.
    separate = fitted(cls, n_jobs=1, **{**extra, "shared_negatives": False})
    assert not np.array_equal(one.params_, separate.params_)


def test_without_random_negatives_sharing_changes_nothing():
    shared = fitted(TwoTowerClassifier, random_negative_ratio=0.0)
    plain = fitted(TwoTowerClassifier, random_negative_ratio=0.0, shared_negatives=False)
    np.testing.assert_array_equal(shared.params_, plain.params_)


def test_shared_negatives_must_be_a_boolean():
    with pytest.raises(ValueError, match="shared_negatives"):
        fitted(TwoTowerClassifier, shared_negatives="yes")


def test_a_pickle_from_before_the_parameter_loads_without_sharing():
    model = fitted(TwoTowerClassifier, shared_negatives=False, max_iter=1)
    state = model.__getstate__()
    del state["shared_negatives"]
    old = TwoTowerClassifier.__new__(TwoTowerClassifier)
    old.__setstate__(state)
    assert old.get_params()["shared_negatives"] is False
    np.testing.assert_array_equal(old.predict_proba(NAMED_PAIRS), model.predict_proba(NAMED_PAIRS))
    plain = {k: v for k, v in SMALL.items() if k != "shared_negatives"}
    cross = CrossEncoderClassifier.__new__(CrossEncoderClassifier)
    cross.__setstate__(CrossEncoderClassifier(FEATURES, **{**plain, "max_iter": 1}).fit(NAMED_PAIRS, Y).__getstate__())
    assert not hasattr(cross, "shared_negatives")
