"""Analytic gradients against central finite differences, in float64.

Each check compares a directional derivative: g . d against
(L(theta + h d) - L(theta - h d)) / 2h for a random direction d, at h and h/2
combined by Richardson extrapolation. Near a ReLU kink
the loss is not differentiable; there the estimates at h and h/2 disagree, and the
example is rejected rather than tolerated.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from grnfast import _core
from grnfast import _core_testing as T
from grnfast.models._parameters import initial_parameters

RTOL = 1e-5
STEP = 1e-5
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def central_difference(f, x, direction, h=STEP):
    return (f(x + h * direction) - f(x - h * direction)) / (2 * h)


def check_directional(f, x, analytic_grad, rng, name):
    """Assert g . d matches the central difference of f along a random d."""
    d = rng.standard_normal(x.shape)
    fd = central_difference(f, x, d)
    fd_half = central_difference(f, x, d, STEP / 2)
    # A kink within h of x: the function is not smooth here, so no derivative to check.
    assume(abs(fd - fd_half) <= 1e-7 * max(1.0, abs(fd)))
    # Richardson extrapolation cancels the h^2 error term, which high curvature (batch
    # norm over two samples) can make larger than the tolerance.
    numeric = (4 * fd_half - fd) / 3
    # How far the two step sizes disagree bounds the numeric estimate's own error:
    # where the true derivative is 0 (a bias feeding batch norm), both are rounding
    # noise, which batch norm over a few samples amplifies past a fixed 1e-9. The two
    # can agree by chance (a 1-wide layer of two samples: 1/sqrt(eps) = 316x the
    # rounding, -7.6e-9 at both steps against an exact 0), hence the 1e-8 floor, still
    # far below any wrong gradient (RTOL is relative to gradients of order 0.1-1).
    noise = 4 * abs(fd - fd_half)
    an = float(np.sum(analytic_grad * d))
    assert an == pytest.approx(numeric, rel=RTOL, abs=max(1e-8, noise)), (
        f"gradient of {name}: analytic {an}, numeric {numeric} (step sizes disagree by {noise / 4:.2e})")


seeds = st.integers(0, 2**31 - 1)


@SETTINGS
@given(seed=seeds, batch=st.integers(1, 9), n_in=st.integers(1, 40), n_out=st.integers(1, 40))
def test_dense_layer(seed, batch, n_in, n_out):
    rng = np.random.default_rng(seed)
    X, W, b = rng.standard_normal((batch, n_in)), rng.standard_normal((n_in, n_out)), rng.standard_normal(n_out)
    G = rng.standard_normal((batch, n_out))
    (Y,) = T.dense_forward(X, W, b)
    np.testing.assert_allclose(Y, X @ W + b, rtol=1e-12, atol=1e-12)
    dW, db, dX = T.dense_backward(X, W, G)

    def loss(X_, W_, b_):
        return float(np.sum(G * T.dense_forward(X_, W_, b_)[0]))

    check_directional(lambda w: loss(X, w, b), W, dW, rng, "weight")
    check_directional(lambda v: loss(X, W, v), b, db, rng, "bias")
    check_directional(lambda x: loss(x, W, b), X, dX, rng, "input")


@SETTINGS
@given(
    seed=seeds,
    batch=st.integers(2, 12),
    width=st.integers(1, 70),
    batch_norm=st.booleans(),
    dropout=st.sampled_from([0.0, 0.3]),
)
def test_batchnorm_relu_dropout_block_training(seed, batch, width, batch_norm, dropout):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((batch, width)) * 2
    gamma, beta = rng.uniform(0.5, 1.5, width), rng.standard_normal(width) * 0.3
    rm, rv, G = np.zeros(width), np.ones(width), rng.standard_normal((batch, width))

    def run(z, g, b):
        return T.bn_relu_dropout(z, g, b, rm, rv, G, training=True, batch_norm=batch_norm, dropout=dropout, seed=seed)

    A, dZ, dgamma, dbeta, _, _ = run(Z, gamma, beta)
    loss = lambda z, g, b: float(np.sum(G * run(z, g, b)[0]))  # noqa: E731
    check_directional(lambda z: loss(z, gamma, beta), Z, dZ, rng, "pre-activation input")
    if batch_norm:
        check_directional(lambda g: loss(Z, g, beta), gamma, dgamma, rng, "batch-norm scale")
        check_directional(lambda b: loss(Z, gamma, b), beta, dbeta, rng, "batch-norm shift")


def test_batchnorm_forward_matches_definition():
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((16, 5))
    gamma, beta = rng.uniform(0.5, 1.5, 5), rng.standard_normal(5)
    A, _, _, _, rm, rv = T.bn_relu_dropout(Z, gamma, beta, np.zeros(5), np.ones(5), np.zeros_like(Z))
    x_hat = (Z - Z.mean(0)) / np.sqrt(Z.var(0) + 1e-5)
    np.testing.assert_allclose(A, np.maximum(gamma * x_hat + beta, 0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rm, 0.1 * Z.mean(0), rtol=1e-12)
    np.testing.assert_allclose(rv, 0.9 + 0.1 * Z.var(0, ddof=1), rtol=1e-12)
    # Evaluation mode normalises with the running statistics.
    A_eval = T.bn_relu_dropout(Z, gamma, beta, rm, rv, np.zeros_like(Z), training=False)[0]
    np.testing.assert_allclose(A_eval, np.maximum(gamma * (Z - rm) / np.sqrt(rv + 1e-5) + beta, 0), rtol=1e-12)


@SETTINGS
@given(seed=seeds, batch=st.integers(1, 30), weighted=st.booleans())
def test_bce_with_logits(seed, batch, weighted):
    rng = np.random.default_rng(seed)
    z, y = rng.standard_normal(batch) * 3, rng.integers(0, 2, batch).astype(float)
    w = rng.uniform(0.1, 3, batch) if weighted else None
    loss, dz = T.bce_with_logits(z, y, w)
    p = 1 / (1 + np.exp(-z))
    expected = -(y * np.log(p) + (1 - y) * np.log(1 - p)) * (w if weighted else 1)
    assert loss == pytest.approx(expected.mean(), rel=1e-12)
    check_directional(lambda v: T.bce_with_logits(v, y, w)[0], z, dz, rng, "logits")


@SETTINGS
@given(seed=seeds, n=st.integers(1, 40), n_ids=st.integers(1, 6), dim=st.integers(1, 9))
def test_embedding_gradient_sums_repeated_ids(seed, n, n_ids, dim):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, n_ids, n)
    contributions = rng.standard_normal((n, dim))
    unique, rows = T.embedding_grad(ids, contributions, n_threads=2)
    expected = np.zeros((n_ids, dim))
    np.add.at(expected, ids, contributions)
    np.testing.assert_array_equal(unique, np.unique(ids))
    np.testing.assert_allclose(rows, expected[np.unique(ids)], rtol=1e-12, atol=1e-12)


@SETTINGS
@given(seed=seeds, n=st.integers(0, 600), n_ids=st.integers(1, 400),
       offset=st.sampled_from([0, 5000, 2**22 - 10, -7]))
def test_embedding_gradient_order_is_by_id_then_position(seed, n, n_ids, offset):
    """Each id's rows are summed in ascending position, bit for bit (the counting sort
    of a batch's ids; ids a gene table never has, negative or from 2**22 on, take the
    comparison sort and the same order)."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, n_ids, n) + offset
    contributions = rng.standard_normal((n, 3)) * 10.0 ** rng.integers(-8, 9, (n, 1))  # order matters
    unique, rows = T.embedding_grad(ids, contributions, n_threads=2)
    np.testing.assert_array_equal(unique, np.unique(ids))
    for u, row in zip(unique, rows):
        expected = np.zeros(3)
        for k in np.flatnonzero(ids == u):
            expected = expected + contributions[k]
        np.testing.assert_array_equal(row, expected)


# ---- whole models ---------------------------------------------------------------

model_specs = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["cross_encoder", "two_tower"]),
        "n_genes": st.integers(2, 7),
        "n_features": st.integers(0, 3),
        "embedding_dim": st.integers(1, 5),
        "hidden": st.lists(st.integers(1, 6), min_size=1, max_size=3),
        "dropout": st.sampled_from([0.0, 0.25]),
        "batch_norm": st.booleans(),
        "use_embeddings": st.booleans(),
        "use_product": st.booleans(),
        "temperature": st.sampled_from([0.05, 0.7, 2.0]),
        "cosine": st.booleans(),
        "feature_interaction": st.booleans(),
        "gene_bias": st.booleans(),
    }
)


def make_spec(d):
    spec = _core.ModelSpec()
    for k, v in d.items():
        setattr(spec, k, v)
    return spec


def float64_parameters(layout, seed, rng):
    """Initial parameters and buffers in float64, with batch-norm scale and shift
    moved off their initial values so they matter."""
    p32, b32 = initial_parameters(layout, np.random.RandomState(seed % 2**32))
    params, buffers = p32.astype(np.float64), b32.astype(np.float64)
    for g in layout["params"]:
        if g["kind"].startswith("bn_"):
            params[g["offset"] : g["offset"] + g["size"]] += rng.uniform(-0.3, 0.3, g["size"])
    return params, buffers


def whole_model_problem(spec, seed, batch):
    """What a whole-model check needs, in float64: the generator it goes on with, the
    layout, parameters, buffers, node features, a batch of pairs and their labels."""
    rng = np.random.default_rng(seed)
    layout = _core.layout(spec)
    params, buffers = float64_parameters(layout, seed, rng)
    features = rng.standard_normal((spec.n_genes, spec.n_features))
    pairs = rng.integers(0, spec.n_genes, (batch, 2))
    y = rng.integers(0, 2, batch).astype(float)
    return rng, layout, params, buffers, features, pairs, y


def check_every_parameter_group(layout, params, grad, loss_at, rng):
    """Finite differences along a random direction within each parameter group."""
    for g in layout["params"]:
        sl = slice(g["offset"], g["offset"] + g["size"])

        def restricted(p_group, sl=sl):
            p = params.copy()
            p[sl] = p_group
            return loss_at(p)

        check_directional(restricted, params[sl].copy(), grad[sl], rng, g["name"])


def check_whole_model(spec, layout, params, buffers, features, pairs, y, rng, *, weights=None, seed, epoch,
                      **extra):
    """Finite differences of a whole model's loss in every parameter group and, when
    it reads them, the node features; ``extra``: loss_and_grad's graph or seen genes.
    Returns the checked parameter gradient."""
    _, grad, _, feature_grad = T.loss_and_grad(spec, params, buffers, features, pairs, y, weights, seed=seed,
                                               epoch=epoch, feature_grad=True, **extra)

    def loss_at(p, f=features):
        return T.loss_and_grad(spec, p, buffers, f, pairs, y, weights, seed=seed, epoch=epoch, **extra)[0]

    check_every_parameter_group(layout, params, grad, loss_at, rng)
    if spec.n_features and spec.use_expression:
        check_directional(lambda f: loss_at(params, f), features, feature_grad, rng, "node features")
    return grad


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(spec_dict=model_specs, seed=seeds, batch=st.integers(2, 8), weighted=st.booleans())
def test_whole_model_gradients(spec_dict, seed, batch, weighted):
    assume(spec_dict["use_embeddings"] or spec_dict["n_features"] > 0)
    spec = make_spec(spec_dict)
    rng, layout, params, buffers, features, pairs, y = whole_model_problem(spec, seed, batch)
    w = rng.uniform(0.5, 2, batch) if weighted else None
    check_whole_model(spec, layout, params, buffers, features, pairs, y, rng, weights=w, seed=seed, epoch=3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(spec_dict=model_specs, seed=seeds, batch=st.integers(2, 8))
def test_training_path_gives_the_checked_gradient(spec_dict, seed, batch):
    """Training asks for no node-feature gradient, and the two-tower then computes
    only the embedding columns of its input gradient, straight into the embedding
    rows: the parameter gradient must be the one the finite differences check."""
    assume(spec_dict["use_embeddings"] or spec_dict["n_features"] > 0)
    spec = make_spec(spec_dict)
    rng = np.random.default_rng(seed)
    p, b = initial_parameters(_core.layout(spec), np.random.RandomState(seed % 2**32))
    features = rng.standard_normal((spec.n_genes, spec.n_features))
    pairs, y = rng.integers(0, spec.n_genes, (batch, 2)), rng.integers(0, 2, batch).astype(float)
    args = (spec, p.astype(np.float64), b.astype(np.float64), features, pairs, y, None)
    checked = T.loss_and_grad(*args, seed=seed, epoch=1, feature_grad=True)
    training = T.loss_and_grad(*args, seed=seed, epoch=1)
    assert training[0] == checked[0]
    np.testing.assert_array_equal(training[1], checked[1])


def test_model_gradient_is_checked_in_float64_and_float32_agrees():
    spec = make_spec({"kind": "cross_encoder", "n_genes": 5, "n_features": 2, "embedding_dim": 3, "hidden": [4, 3]})
    layout = _core.layout(spec)
    p, b = initial_parameters(layout, np.random.RandomState(0))
    feats = np.random.default_rng(0).standard_normal((5, 2))
    pairs, y = np.array([[0, 1], [2, 3], [4, 0], [1, 1]]), np.array([1.0, 0, 1, 0])
    l64, g64, _, _ = T.loss_and_grad(spec, p.astype(np.float64), b.astype(np.float64), feats, pairs, y)
    l32, g32, _, _ = T.loss_and_grad(spec, p, b, feats.astype(np.float32), pairs, y.astype(np.float32))
    assert g64.dtype == np.float64 and g32.dtype == np.float32
    assert l32 == pytest.approx(l64, rel=1e-5)
    np.testing.assert_allclose(g32, g64, rtol=1e-3, atol=1e-5)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(spec_dict=model_specs, seed=seeds, batch=st.integers(2, 8), graph_dim=st.integers(1, 4),
       n_edges=st.integers(0, 12), degree_scale=st.sampled_from([1.0, 2.5]))
def test_whole_model_gradients_with_the_known_edge_graph(spec_dict, seed, batch, graph_dim, n_edges, degree_scale):
    """Both models with the graph encoder: every parameter group (the encoder's too)
    and the node features, which now also reach a gene through its graph neighbours."""
    assume(spec_dict["use_embeddings"] or spec_dict["n_features"] > 0)
    spec = make_spec({**spec_dict, "graph_dim": graph_dim})
    rng, layout, params, buffers, features, pairs, y = whole_model_problem(spec, seed, batch)
    assert {"graph.weight", "graph.bias"} <= {g["name"] for g in layout["params"]}
    edges = rng.integers(0, spec.n_genes, (n_edges, 2))
    check_whole_model(spec, layout, params, buffers, features, pairs, y, rng, seed=seed, epoch=3, graph_edges=edges,
                      degree_scale=degree_scale)
