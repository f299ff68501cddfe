"""Degree features: counted over training positives only, so held-out edges
cannot leak into a model's inputs."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grnfast.evaluation import DegreeBaseline, add_degree_features, degree_features

SPLITS = Path(__file__).parents[1] / ".." / "shared" / "data" / "beeline-splits"
needs_splits = pytest.mark.skipif(
    not SPLITS.is_dir(), reason=f"real BEELINE split files not found at {SPLITS.resolve()}"
)

GENES = ["a", "b", "c", "d"]
PAIRS = np.array([[0, 1], [0, 2], [1, 2], [3, 0], [2, 3]])
LABELS = np.array([1, 1, 1, 0, 1])


def test_degree_features_by_hand():
    features = degree_features(PAIRS, LABELS, GENES)
    assert list(features.index) == GENES
    assert features["out_degree"].tolist() == [2, 1, 1, 0]  # (3, 0) is not an edge
    assert features["in_degree"].tolist() == [0, 1, 2, 1]
    logged = degree_features(PAIRS, LABELS, GENES, log=True, normalize=True)
    np.testing.assert_allclose(logged["out_degree"], np.log1p([2, 1, 1, 0]) / np.log1p(2))


def test_degree_features_accept_gene_names_and_counts():
    named = pd.DataFrame({"TF": ["a", "a", "b", "d", "c"], "Target": ["b", "c", "c", "a", "d"]})
    pd.testing.assert_frame_equal(degree_features(named, LABELS, GENES), degree_features(PAIRS, LABELS, GENES))
    by_count = degree_features(PAIRS, LABELS, 6)
    assert list(by_count.index) == list(range(6)) and by_count.loc[5].tolist() == [0, 0]
    with pytest.raises(ValueError, match=r"not in the gene table: \['zz'\]"):
        degree_features(pd.DataFrame({"TF": ["a"], "Target": ["zz"]}), [1], GENES)
    with pytest.raises(ValueError, match="out of range"):
        degree_features(PAIRS, LABELS, 3)


def test_add_degree_features_keeps_the_table_kind():
    node_features = pd.DataFrame(np.ones((4, 2)), index=GENES, columns=["ct1", "ct2"])
    augmented = add_degree_features(node_features, PAIRS, LABELS)
    assert list(augmented.columns) == ["ct1", "ct2", "out_degree", "in_degree"]
    np.testing.assert_allclose(augmented["in_degree"], np.log1p([0, 1, 2, 1]))
    as_array = add_degree_features(node_features.to_numpy(), PAIRS, LABELS)
    np.testing.assert_allclose(as_array, augmented.to_numpy())
    with pytest.raises(ValueError, match="already has columns"):
        add_degree_features(augmented, PAIRS, LABELS)


def test_degree_baseline_is_the_sum_of_degree_features():
    features = degree_features(PAIRS, LABELS, GENES)
    model = DegreeBaseline(node_features=features).fit(PAIRS, LABELS)
    expected = features["out_degree"].to_numpy()[PAIRS[:, 0]] + features["in_degree"].to_numpy()[PAIRS[:, 1]]
    np.testing.assert_allclose(model.decision_function(PAIRS) + model.midpoint_, expected)


@st.composite
def split_with_held_out_edge(draw):
    """A labelled pair set cut into train and held-out rows, plus one held-out edge."""
    n_genes = draw(st.integers(3, 12))
    n = draw(st.integers(4, 40))
    pairs = np.array(draw(st.lists(st.tuples(st.integers(0, n_genes - 1), st.integers(0, n_genes - 1)), min_size=n, max_size=n)))
    labels = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    labels[:3] = [1, 0, 1]
    in_train = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    in_train[:2], in_train[2] = True, False  # both classes in training; row 2 is a held-out edge
    return n_genes, pairs, labels, in_train


@settings(max_examples=50, deadline=None)
@given(case=split_with_held_out_edge(), relabel=st.booleans())
def test_held_out_edges_change_nothing(case, relabel):
    n_genes, pairs, labels, in_train = case
    part = np.where(in_train, "train", "test")
    before = degree_features(pairs[part == "train"], labels[part == "train"], n_genes)
    # Move the held-out edge from test to validation (or even flip its label):
    # the training rows are unchanged, and so are the features.
    part[2] = "validation"
    changed = labels.copy()
    changed[2] = 0 if relabel else 1
    after = degree_features(pairs[part == "train"], changed[part == "train"], n_genes)
    pd.testing.assert_frame_equal(before, after)
    # Moving it into training is what changes them: +1 for its two genes, nothing else.
    part[2] = "train"
    grown = degree_features(pairs[part == "train"], labels[part == "train"], n_genes)
    regulator, target = pairs[2]
    assert grown.loc[regulator, "out_degree"] == before.loc[regulator, "out_degree"] + 1
    assert grown.loc[target, "in_degree"] == before.loc[target, "in_degree"] + 1
    assert (grown - before).to_numpy().sum() == 2


@needs_splits
def test_moving_a_real_test_edge_changes_nothing():
    folder = SPLITS / "Specific" / "mESC 500" / "sample1"
    train = pd.read_csv(folder / "Train_set.csv.gz", index_col=0)
    test = pd.read_csv(folder / "Test_set.csv.gz", index_col=0)
    validation = pd.read_csv(folder / "Validation_set.csv.gz", index_col=0)
    n_genes = int(max(train[["TF", "Target"]].max().max(), test[["TF", "Target"]].max().max())) + 1
    before = degree_features(train[["TF", "Target"]], train["Label"], n_genes)

    edge = test[test.Label == 1].iloc[[0]]
    test_without, validation_with = test.drop(edge.index), pd.concat([validation, edge])
    assert len(test_without) + len(validation_with) == len(test) + len(validation)
    after = degree_features(train[["TF", "Target"]], train["Label"], n_genes)
    pd.testing.assert_frame_equal(before, after)
    # The degree baseline, fitted on the same training pairs, scores the moved edge the same way.
    model = DegreeBaseline().fit(train[["TF", "Target"]], train["Label"])
    regulator, target = edge[["TF", "Target"]].to_numpy()[0]
    raw = model.decision_function(edge[["TF", "Target"]])[0] + model.midpoint_
    assert raw == before.loc[regulator, "out_degree"] + before.loc[target, "in_degree"]
