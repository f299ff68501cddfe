"""The known-edge graph encoder alone: forward against a NumPy definition, gradients
against finite differences (float64), and determinism across threads."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_gradients import check_directional, seeds

from grnfast import _core_testing as T

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reference(emb, feat, W, b, edges, genes, degree_scale):
    """g = ReLU([mean h over v's targets, mean over its regulators, log1p(scaled
    counts)] W + b), straight from the definition (repeated edges count once)."""
    H = np.hstack([emb, feat])
    edge_set = {(int(r), int(t)) for r, t in edges}
    rows = []
    for v in genes:
        tg = sorted(t for (r, t) in edge_set if r == v)
        rg = sorted(r for (r, t) in edge_set if t == v)
        mean = lambda ids: H[ids].mean(0) if ids else np.zeros(H.shape[1])  # noqa: E731
        degrees = np.log1p(degree_scale * np.array([len(tg), len(rg)]))
        rows.append(np.concatenate([mean(tg), mean(rg), degrees]))
    return np.maximum(np.array(rows) @ W + b, 0)


@st.composite
def problems(draw):
    n_genes = draw(st.integers(1, 7))
    E, F, G = draw(st.integers(0, 4)), draw(st.integers(0, 3)), draw(st.integers(1, 5))
    if E + F == 0:
        E = 1
    rng = np.random.default_rng(draw(seeds))
    edges = rng.integers(0, n_genes, (draw(st.integers(0, 12)), 2))  # repeats and self-loops included
    genes = rng.integers(0, n_genes, draw(st.integers(1, 9)))  # repeats included
    degree_scale = draw(st.sampled_from([1.0, 2.0, 2.5]))
    return rng, n_genes, E, F, G, edges, genes, degree_scale


def encoder_inputs(rng, n_genes, E, F, G):
    """Embedding rows, node features, weight and bias of an encoder of this size."""
    return (rng.standard_normal((n_genes, E)), rng.standard_normal((n_genes, F)),
            rng.standard_normal((2 * (E + F) + 2, G)), rng.standard_normal(G))


def run(emb, feat, W, b, edges, genes, degree_scale, d_out, n_threads=1, cols=-1, cached=False):
    return T.graph_encoder(emb, feat, W, b, edges, genes, degree_scale, d_out, cols=cols, n_threads=n_threads,
                           cached_features=cached)


@SETTINGS
@given(problem=problems())
def test_forward_matches_definition_and_evaluation_path(problem):
    rng, n_genes, E, F, G, edges, genes, scale = problem
    emb, feat, W, b = encoder_inputs(rng, n_genes, E, F, G)
    g, g_eval, *_ = run(emb, feat, W, b, edges, genes, scale, np.zeros((len(genes), G)))
    np.testing.assert_allclose(g, reference(emb, feat, W, b, edges, genes, scale), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(g_eval, g)


@SETTINGS
@given(problem=problems())
def test_gradients(problem):
    rng, n_genes, E, F, G, edges, genes, scale = problem
    emb, feat, W, b = encoder_inputs(rng, n_genes, E, F, G)
    d_out = rng.standard_normal((len(genes), G))
    _, _, dW, db, read, d_rows = run(emb, feat, W, b, edges, genes, scale, d_out)
    assert np.all(np.diff(read) > 0)
    dH = np.zeros((n_genes, E + F))
    dH[read] = d_rows

    def loss(emb_=emb, feat_=feat, W_=W, b_=b):
        return float(np.sum(d_out * run(emb_, feat_, W_, b_, edges, genes, scale, d_out)[0]))

    check_directional(lambda w: loss(W_=w), W, dW, rng, "weight")
    check_directional(lambda v: loss(b_=v), b, db, rng, "bias")
    if E:
        check_directional(lambda e: loss(emb_=e), emb, dH[:, :E], rng, "embedding rows")
    if F:
        check_directional(lambda f: loss(feat_=f), feat, dH[:, E:], rng, "feature rows")


@SETTINGS
@given(problem=problems(), dtype=st.sampled_from([np.float32, np.float64]))
def test_row_gradients_of_the_leading_columns_only(problem, dtype):
    """Training asks for the embedding columns only (node features are constants):
    exactly the leading columns of the full row gradients, the rest unchanged, and
    none at all (no genes read) for zero columns."""
    rng, n_genes, E, F, G, edges, genes, scale = problem
    inputs = [a.astype(dtype) for a in encoder_inputs(rng, n_genes, E, F, G)]
    d_out = rng.standard_normal((len(genes), G)).astype(dtype)
    full = run(*inputs, edges, genes, scale, d_out)
    for cols in range(E + F):
        part = run(*inputs, edges, genes, scale, d_out, cols=cols)
        for a, c in zip(full[:4], part[:4]):
            np.testing.assert_array_equal(a, c)
        if cols == 0:
            assert len(part[4]) == 0 and part[5].shape == (0, 0)
        else:
            np.testing.assert_array_equal(part[4], full[4])
            np.testing.assert_array_equal(part[5], full[5][:, :cols])


def test_empty_neighbour_sets_and_the_genes_read():
    rng = np.random.default_rng(1)
    emb = rng.standard_normal((6, 2))
    W, b = rng.standard_normal((6, 3)), np.full(3, 5.0)  # a large bias: ReLU passes everything
    edges = np.array([[0, 1], [0, 2], [4, 0], [5, 3]])
    g, _, _, _, read, _ = run(emb, np.zeros((6, 0)), W, b, edges, np.array([2, 3, 1]), 1.0, np.ones((3, 3)))
    assert read.tolist() == [0, 5]  # the genes' neighbours, not the genes themselves
    # Gene 2 has no targets and one regulator: a zero mean and log1p(0) = 0 in its row.
    np.testing.assert_allclose(g[0], emb[0] @ W[2:4] + np.log1p(1.0) * W[5] + b, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bit_identical_for_any_thread_count(dtype):
    rng = np.random.default_rng(2)
    n_genes, E, F, G = 300, 40, 5, 16
    emb, feat = rng.standard_normal((n_genes, E)).astype(dtype), rng.standard_normal((n_genes, F)).astype(dtype)
    W = (rng.standard_normal((2 * (E + F) + 2, G)) * 0.1).astype(dtype)
    b = rng.standard_normal(G).astype(dtype)
    edges = np.column_stack([rng.integers(0, 20, 3000), rng.integers(0, n_genes, 3000)])
    genes = rng.integers(0, n_genes, 700)
    d_out = rng.standard_normal((len(genes), G)).astype(dtype)
    results = [run(emb, feat, W, b, edges, genes, 2.0, d_out, n_threads=k) for k in (1, 2, 3, 2)]
    for other in results[1:]:
        for a, c in zip(results[0], other):
            np.testing.assert_array_equal(a, c)


def hub_problem(dtype, seed=5, n_genes=3000, E=12, F=7, G=8):
    """A hub regulator with 2,500 known targets, a hub target with 400 regulators,
    repeats and self-loops among the edges, and genes to encode that meet the hubs."""
    rng = np.random.default_rng(seed)
    edges = np.concatenate([
        np.column_stack([np.full(2500, 3), rng.choice(n_genes, 2500, replace=False)]),
        np.column_stack([rng.choice(n_genes, 400, replace=False), np.full(400, 11)]),
        rng.integers(0, n_genes, (3000, 2)),
    ])
    emb, feat, W, b = (a.astype(dtype) for a in encoder_inputs(rng, n_genes, E, F, G))
    feat *= (10.0 ** rng.integers(-3, 4, (n_genes, 1))).astype(dtype)  # sums whose order matters
    genes = np.r_[3, 11, rng.integers(0, n_genes, 500), 3, 11]
    return emb, feat, W, b, edges, genes, rng.standard_normal((len(genes), G)).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_neighbour_feature_means_equal_the_sums_in_neighbour_order(dtype):
    """The node features' neighbour means a trainer computes once per graph: each
    gene's sum over its distinct neighbours in ascending order, from zero, in the
    engine's type, times 1/count (bit for bit), for any thread count; and the
    float64 NumPy mean to rounding."""
    emb, feat, W, b, edges, genes, d_out = hub_problem(dtype)
    n_genes, F = feat.shape
    means = T.neighbour_feature_means(feat, edges, n_threads=1)
    for k in (2, 3):
        np.testing.assert_array_equal(T.neighbour_feature_means(feat, edges, n_threads=k), means)
    pairs = {(int(r), int(t)) for r, t in edges}
    targets = [[] for _ in range(n_genes)]
    regulators = [[] for _ in range(n_genes)]
    for r, t in sorted(pairs):
        targets[r].append(t)
        regulators[t].append(r)
    for v in [3, 11, *range(0, n_genes, 97)]:
        for block, nbrs in enumerate([sorted(targets[v]), sorted(regulators[v])]):
            got = means[v, block * F:(block + 1) * F]
            total = np.zeros(F, dtype)
            for u in nbrs:
                total = total + feat[u]
            expected = total * (dtype(1) / dtype(len(nbrs))) if nbrs else total
            np.testing.assert_array_equal(got, expected)
            exact = feat[nbrs].astype(np.float64).mean(0) if nbrs else np.zeros(F)
            np.testing.assert_allclose(got, exact, rtol=1e-5 if dtype == np.float32 else 1e-12,
                                       atol=1e-5 * np.abs(feat).max() if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cached_feature_means_change_nothing(dtype):
    """Training forward with the cached neighbour means of the features gives, bit for
    bit, what averaging every neighbour's row per batch gives: the encoding, and the
    backward that reads it; for 1, 2 and 3 threads."""
    emb, feat, W, b, edges, genes, d_out = hub_problem(dtype)
    W = W * dtype(0.1)
    for k in (1, 2, 3):
        plain = run(emb, feat, W, b, edges, genes, 2.5, d_out, n_threads=k, cols=emb.shape[1])
        cached = run(emb, feat, W, b, edges, genes, 2.5, d_out, n_threads=k, cols=emb.shape[1], cached=True)
        for a, c in zip(plain, cached):
            np.testing.assert_array_equal(a, c)
    np.testing.assert_allclose(plain[0], reference(*(a.astype(np.float64) for a in (emb, feat, W, b)), edges,
                                                   genes, 2.5),
                               rtol=1e-4 if dtype == np.float32 else 1e-10, atol=1e-3 if dtype == np.float32 else 1e-10)


@SETTINGS
@given(problem=problems())
def test_cached_feature_means_change_nothing_on_small_graphs(problem):
    rng, n_genes, E, F, G, edges, genes, scale = problem
    emb, feat, W, b = encoder_inputs(rng, n_genes, E, F, G)
    d_out = rng.standard_normal((len(genes), G))
    for a, c in zip(run(emb, feat, W, b, edges, genes, scale, d_out),
                    run(emb, feat, W, b, edges, genes, scale, d_out, cached=True)):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize(
    "edges, genes, message",
    [
        (np.array([[0, 5]]), np.array([0]), "graph edge 0 has gene index 5"),
        (np.array([[-1, 0]]), np.array([0]), "graph edge 0 has gene index -1"),
        (np.array([[0, 1]]), np.array([4]), "gene 0 is outside"),
    ],
)
def test_bad_indices_raise(edges, genes, message):
    emb = np.zeros((3, 2))
    with pytest.raises((ValueError, IndexError), match=message):
        run(emb, np.zeros((3, 0)), np.zeros((6, 1)), np.zeros(1), edges, genes, 1.0, np.zeros((len(genes), 1)))
