"""The late-interaction model: the MaxSim layer (forward against its definition,
finite-difference gradients away from ties, ties to the lowest index, the
genome-wide block kernel), the whole model's gradients with and without the
known-edge graph, and what the estimator adds to the other two."""
import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from grnfast import GRNInputError, LateInteractionClassifier, TwoTowerClassifier, _core
from grnfast import _core_testing as T
from grnfast.models import make_model
from grnfast.models._parameters import initial_parameters
from grnfast.models.late_interaction import MAX_VECTORS
from test_gradients import (check_directional, check_whole_model, make_spec, model_specs, seeds,
                            whole_model_problem)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def maxsim_reference(u, v, cosine):
    if cosine:
        u = u / np.sqrt((u * u).sum(1, keepdims=True) + 1e-12)
        v = v / np.sqrt((v * v).sum(1, keepdims=True) + 1e-12)
    return (u @ v.T).max(axis=1).sum()


def tie_gap(u, v, cosine):
    """The smallest gap between each row's best and second-best similarity."""
    if cosine:
        u = u / np.linalg.norm(u, axis=1, keepdims=True)
        v = v / np.linalg.norm(v, axis=1, keepdims=True)
    s = np.sort(u @ v.T, axis=1)
    return np.inf if s.shape[1] == 1 else float((s[:, -1] - s[:, -2]).min())


@SETTINGS
@given(seed=seeds, m=st.integers(1, 6), d=st.integers(1, 7), cosine=st.booleans())
def test_maxsim_layer_value_and_gradients(seed, m, d, cosine):
    rng = np.random.default_rng(seed)
    u, v, g = rng.standard_normal((m, d)), rng.standard_normal((m, d)), rng.uniform(-2, 2)
    assume(tie_gap(u, v, cosine) > 1e-3)  # the max must not switch within the finite-difference step
    score, du, dv, best = T.maxsim(u, v, cosine, g)
    assert score == pytest.approx(maxsim_reference(u, v, cosine), rel=1e-12, abs=1e-12)
    check_directional(lambda x: g * T.maxsim(x, v, cosine)[0], u, du, rng, "regulator vectors")
    check_directional(lambda x: g * T.maxsim(u, x, cosine)[0], v, dv, rng, "target vectors")


def maxsim_in_order(u, v, cosine):
    """MaxSim as the engine sums it, in u's type, one rounding per operation: each dot
    product over k in order from zero, norms sqrt(x.x + 1e-12), the score the sum
    over i in order of each row's largest similarity (the first of ties)."""
    t = u.dtype.type

    def dot(a, b):
        s = t(0)
        for x, y in zip(a, b):
            s = t(s + t(x * y))
        return s

    nu = [t(np.sqrt(t(dot(x, x) + t(1e-12)))) for x in u] if cosine else None
    nv = [t(np.sqrt(t(dot(x, x) + t(1e-12)))) for x in v] if cosine else None
    total, best = t(0), []
    for i, x in enumerate(u):
        sims = [dot(x, y) for y in v]
        if cosine:
            sims = [t(s / t(nu[i] * nv[j])) for j, s in enumerate(sims)]
        j = int(np.argmax(sims))  # the first of equal maxima
        total, best = t(total + sims[j]), best + [j]
    return total, best


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("m, d", [(1, 3), (7, 5), (8, 8), (9, 4), (16, 3), (19, 6)])
@pytest.mark.parametrize("cosine", [False, True])
def test_maxsim_sums_in_order_bit_for_bit(dtype, m, d, cosine):
    """The m dot products of a regulator vector run side by side in the engine; each is
    still the sum in order of k, so the score is bit for bit the one-at-a-time sum's."""
    rng = np.random.default_rng(m * 100 + d)
    u = (rng.standard_normal((m, d)) * 10.0 ** rng.integers(-3, 4, (m, d))).astype(dtype)
    v = (rng.standard_normal((m, d)) * 10.0 ** rng.integers(-3, 4, (m, d))).astype(dtype)
    score, _, _, best = T.maxsim(u, v, cosine)
    expected, expected_best = maxsim_in_order(u, v, cosine)
    assert best.tolist() == expected_best
    assert score == expected


@pytest.mark.parametrize("cosine", [False, True])
def test_ties_go_to_the_lowest_index(cosine):
    """Equal target vectors: every regulator vector picks the first, and only it
    receives gradient, so results cannot depend on the order threads run in."""
    rng = np.random.default_rng(0)
    u = rng.standard_normal((4, 4))
    w = rng.standard_normal(4)
    v = np.stack([-w, w, w, w])  # vectors 1, 2 and 3 tie
    u[:, :] = np.abs(u) * np.sign(w)  # every u_i prefers w to -w
    _, du, dv, best = T.maxsim(u, v, cosine)
    np.testing.assert_array_equal(best, [1, 1, 1, 1])
    assert np.abs(dv[1]).sum() > 0 and not dv[[0, 2, 3]].any()


@pytest.mark.parametrize("cosine", [False, True])
def test_block_kernel_equals_pairwise_maxsim_for_any_thread_count(cosine):
    rng = np.random.default_rng(1)
    m, d = 5, 9
    U, V = rng.standard_normal((70, m, d)), rng.standard_normal((300, m, d))  # several tiles each way
    grid = T.maxsim_grid(U, V, cosine, 2.5, n_threads=1)
    expected = np.array([[2.5 * maxsim_reference(U[a], V[b], cosine) for b in range(0, 300, 7)] for a in range(70)])
    np.testing.assert_allclose(grid[:, ::7], expected, rtol=1e-12, atol=1e-12)
    for threads in (2, 3):
        np.testing.assert_array_equal(T.maxsim_grid(U, V, cosine, 2.5, n_threads=threads), grid)


def test_maxsim_kernels_refuse_bad_shapes():
    with pytest.raises(ValueError, match="v has shape"):
        T.maxsim(np.zeros((2, 3)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="V has shape"):
        T.maxsim_grid(np.zeros((2, 3, 4)), np.zeros((2, 2, 4)))


# ---- the whole model -------------------------------------------------------------

late_specs = model_specs.map(lambda d: {**d, "kind": "late_interaction"})


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(spec_dict=late_specs, n_vectors=st.integers(1, 4), seed=seeds, batch=st.integers(2, 8),
       graph_dim=st.sampled_from([0, 0, 3]), n_edges=st.integers(0, 10))
def test_whole_model_gradients(spec_dict, n_vectors, seed, batch, graph_dim, n_edges):
    """Every parameter group and the node features, with and without the graph;
    examples where an arg-max switches within the step are rejected by
    check_directional (the two step sizes disagree there)."""
    assume(spec_dict["use_embeddings"] or spec_dict["n_features"] > 0)
    spec = make_spec({**spec_dict, "n_vectors": n_vectors, "graph_dim": graph_dim})
    rng, layout, params, buffers, features, pairs, y = whole_model_problem(spec, seed, batch)
    graph = dict(graph_edges=rng.integers(0, spec.n_genes, (n_edges, 2)), degree_scale=1.5) if graph_dim else {}
    check_whole_model(spec, layout, params, buffers, features, pairs, y, rng, seed=seed, epoch=3, **graph)


def test_one_vector_is_the_two_tower():
    """n_vectors=1: MaxSim of one vector each is the dot product, so the model is the
    two-tower's, weight for weight."""
    spec = {"n_genes": 6, "n_features": 2, "embedding_dim": 3, "hidden": [5, 4]}
    late = make_spec({**spec, "kind": "late_interaction", "n_vectors": 1})
    tower = make_spec({**spec, "kind": "two_tower"})
    layout = _core.layout(tower)
    assert _core.layout(late) == layout
    p, b = initial_parameters(layout, np.random.RandomState(0))
    rng = np.random.default_rng(0)
    args = (p.astype(np.float64), b.astype(np.float64), rng.standard_normal((6, 2)), rng.integers(0, 6, (8, 2)),
            rng.integers(0, 2, 8).astype(float))
    a, b2 = T.loss_and_grad(late, *args), T.loss_and_grad(tower, *args)
    assert a[0] == b2[0]
    np.testing.assert_array_equal(a[1], b2[1])


# ---- the estimator -------------------------------------------------------------------

RNG = np.random.default_rng(0)
FEATURES = pd.DataFrame(RNG.normal(size=(40, 3)), index=[f"g{i}" for i in range(40)])
PAIRS = RNG.integers(0, 40, (600, 2))
Y = (FEATURES.to_numpy()[PAIRS[:, 0], 0] > FEATURES.to_numpy()[PAIRS[:, 1], 1]).astype(int)
SMALL = dict(embedding_dim=8, hidden_layer_sizes=(16, 8), n_vectors=3, max_iter=3, random_state=0, n_jobs=1)


@pytest.fixture(scope="module")
def fitted():
    return LateInteractionClassifier(node_features=FEATURES, **SMALL).fit(PAIRS, Y)


def test_registered_by_name():
    model = make_model("late-interaction", FEATURES, random_state=3, n_vectors=2)
    assert isinstance(model, LateInteractionClassifier) and model.n_vectors == 2 and model.random_state == 3


def test_defaults_match_the_two_tower():
    """Same contract and defaults as the two-tower, plus n_vectors; the similarity
    was chosen for each model on its own (cosine here, on validation pairs)."""
    late, tower = LateInteractionClassifier().get_params(), TwoTowerClassifier().get_params()
    assert late.pop("n_vectors") >= 1
    assert late.pop("similarity") == "cosine" and tower.pop("similarity") == "dot"
    assert late == tower


def test_parameters_and_spec(fitted):
    spec = fitted.spec_
    assert spec["kind"] == "late_interaction" and spec["n_vectors"] == 3
    named = fitted.named_parameters()
    assert named["regulator_tower.1.weight"].shape == (16, 3 * 8)  # the last layer: 3 vectors of 8
    one = LateInteractionClassifier(node_features=FEATURES, **{**SMALL, "n_vectors": 1}).count_parameters()
    assert fitted.count_parameters() - one == 2 * 2 * (16 * 8 + 8)  # two towers, two more vectors each


def test_pickle_round_trip(fitted):
    back = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(back.decision_function(PAIRS), fitted.decision_function(PAIRS))


def test_pairs_equal_the_genome_grid(fitted):
    """Pair predictions and the block kernel's genome-wide grid agree."""
    network = fitted.network_
    grid = np.concatenate([logits for _, _, logits in network.score_blocks(np.arange(40), np.arange(40), 16)])
    expected = fitted.decision_function(PAIRS)
    np.testing.assert_allclose(grid[PAIRS[:, 0], PAIRS[:, 1]], expected, rtol=1e-5,
                               atol=1e-5 * (1 + np.abs(expected).max()))


@pytest.mark.parametrize("n_vectors, match", [(0, "n_vectors"), (1000, "n_vectors"), (2.5, "n_vectors")])
def test_bad_n_vectors(n_vectors, match):
    with pytest.raises(ValueError, match=match):
        LateInteractionClassifier(node_features=FEATURES, **{**SMALL, "n_vectors": n_vectors}).fit(PAIRS, Y)


def test_one_limit_on_n_vectors():
    """The estimator refuses more than MAX_VECTORS before the engine sees the spec,
    naming the range; the engine accepts MAX_VECTORS and refuses one more."""
    spec = make_spec({"kind": "late_interaction", "n_genes": 4, "embedding_dim": 2, "hidden": [2],
                      "n_vectors": MAX_VECTORS})
    spec.validate()
    spec.n_vectors = MAX_VECTORS + 1
    with pytest.raises(ValueError, match=rf"n_vectors must be in \[1, {MAX_VECTORS}\]"):
        spec.validate()
    with pytest.raises(ValueError, match=rf"'n_vectors' parameter .* in the range \[1, {MAX_VECTORS}\]\. Got"):
        LateInteractionClassifier(node_features=FEATURES, **{**SMALL, "n_vectors": MAX_VECTORS + 1}).fit(PAIRS, Y)


def test_no_towers_refused():
    with pytest.raises(GRNInputError, match="at least one layer per tower"):
        LateInteractionClassifier(node_features=FEATURES, **{**SMALL, "hidden_layer_sizes": ()}).fit(PAIRS, Y)


@pytest.mark.parametrize("similarity", ["dot", "cosine"])
def test_logit_is_the_mean_best_match_over_the_temperature(similarity):
    """The vectors' MaxSim (of unit vectors with cosine) divided by n_vectors and the
    temperature, from the tower outputs the network exposes."""
    fitted = LateInteractionClassifier(node_features=FEATURES, **SMALL, similarity=similarity).fit(PAIRS, Y)
    network = fitted.network_
    u, v = network.tower_outputs(np.arange(40), "regulator"), network.tower_outputs(np.arange(40), "target")
    assert u.shape == (40, 3, 8)
    if similarity == "cosine":
        u, v = (w / np.linalg.norm(w, axis=2, keepdims=True) for w in (u, v))
    expected = np.array([(u[r] @ v[t].T).max(axis=1).mean() / fitted.temperature for r, t in PAIRS[:50]])
    np.testing.assert_allclose(network.predict_logits(network.genes.rows(PAIRS[:50])), expected, rtol=1e-5,
                               atol=1e-5 * np.abs(expected).max())
