"""Random negatives drawn as a model is used, and per-gene degrees over known edges."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from grnfast.models._known_edges import RandomNegatives, degree_features


@st.composite
def edge_sets(draw):
    n_genes = draw(st.integers(2, 30))
    n_edges = draw(st.integers(1, 40))
    edges = draw(st.lists(st.tuples(st.integers(0, n_genes - 1), st.integers(0, n_genes - 1)),
                          min_size=1, max_size=n_edges))
    return np.array(edges, dtype=np.int64), n_genes


@settings(max_examples=60, deadline=None)
@given(edge_sets(), st.floats(0.1, 20), st.integers(0, 2**31 - 1), st.integers(0, 50))
def test_random_negatives_are_new_distinct_pairs_of_known_regulators(edges_genes, ratio, seed, epoch):
    edges, n_genes = edges_genes
    sampler = RandomNegatives(edges, n_genes, ratio, seed)
    drawn = sampler.draw(epoch)
    assert drawn.dtype == np.int64 and drawn.shape[1] == 2
    codes = drawn[:, 0] * n_genes + drawn[:, 1]
    known = set((edges[:, 0] * n_genes + edges[:, 1]).tolist())
    assert len(set(codes.tolist())) == len(codes)                      # distinct
    assert not set(codes.tolist()) & known                             # never an edge
    assert (drawn[:, 0] != drawn[:, 1]).all()                          # never a self-pair
    assert np.isin(drawn[:, 0], edges[:, 0]).all()                     # regulators of known edges
    assert ((drawn >= 0) & (drawn < n_genes)).all()
    possible = len(np.unique(edges[:, 0])) * (n_genes - 1) - len(known - {r * n_genes + r for r in range(n_genes)})
    assert len(drawn) == min(int(round(ratio * len(edges))), possible)  # as many as asked, or all there are
    np.testing.assert_array_equal(drawn, RandomNegatives(edges, n_genes, ratio, seed).draw(epoch))


def test_draws_differ_by_epoch_and_respect_exclude():
    rng = np.random.default_rng(0)
    edges = np.stack([rng.integers(0, 20, 200), rng.integers(0, 500, 200)], axis=1)
    sampler = RandomNegatives(edges, 500, 3.0, seed=7)
    first, second = sampler.draw(0), sampler.draw(1)
    assert len(first) == 600 and not np.array_equal(first, second)
    held_out = sampler.draw(99, n=50)
    again = sampler.draw(0, exclude=held_out)
    assert not set(map(tuple, again.tolist())) & set(map(tuple, held_out.tolist()))


def test_degree_features_count_out_and_in_edges():
    edges = np.array([[0, 1], [0, 2], [3, 2]])
    features = degree_features(edges, 5)
    np.testing.assert_allclose(np.expm1(features), [[2, 0], [0, 1], [0, 2], [1, 0], [0, 0]])
