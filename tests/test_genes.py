"""The gene table and the one rule for X: text is gene names, integers are row
indices, a DataFrame of integers is refused where the table has names."""
import numpy as np
import pandas as pd
import pytest

from grnfast import GRNInputError, TwoTowerClassifier
from grnfast.evaluation import DegreeBaseline
from grnfast.genes import GeneIndexError, GeneTable
from grnfast.scoring import rank_edges

# Gene IDs that are not their row numbers: looking them up as rows would be a silent wrong answer.
IDS = [7157, 672, 1956, 3845, 5290, 4609, 2064, 207]
FEATURES = pd.DataFrame(np.random.default_rng(0).normal(size=(8, 3)), index=IDS)
PAIRS = np.array([[0, 1], [2, 3], [4, 5], [6, 7], [1, 0], [3, 2], [5, 4], [7, 6]] * 3)
Y = np.array([1, 0] * 12)
TINY = dict(embedding_dim=4, hidden_layer_sizes=(4,), max_iter=2, early_stopping=False, random_state=0, n_jobs=1)


def as_ids(pairs):
    return pd.DataFrame(np.asarray(IDS)[pairs], columns=["regulator", "target"])


def test_table_rows_names_and_errors():
    table = GeneTable(np.array(["a", "b", "c"], dtype=object))
    assert table.n_genes == 3
    np.testing.assert_array_equal(table.rows(pd.DataFrame({"r": ["c", "a"], "t": ["b", "b"]})), [[2, 1], [0, 1]])
    np.testing.assert_array_equal(table.rows(np.array([[2, 0]])), [[2, 0]])
    np.testing.assert_array_equal(table.gene_rows(["b", "c"], "regulators"), [1, 2])
    np.testing.assert_array_equal(table.labels(np.array([2, 0])), ["c", "a"])
    with pytest.raises(GRNInputError, match=r"unknown genes in regulators, not in the gene table: \['zz'\]"):
        table.gene_rows(["zz"], "regulators")
    with pytest.raises(GeneIndexError, match="targets contains gene index 3 .*valid indices: 0..2"):
        table.gene_rows([3], "targets")
    with pytest.raises(GeneIndexError, match="regulators must be gene names or non-negative integer indices"):
        table.gene_rows([-1], "regulators")
    with pytest.raises(GRNInputError, match="X has missing values in 1 rows, first row 1"):
        table.rows(pd.DataFrame({"r": ["a", None], "t": ["b", "c"]}))


def test_table_learnt_from_X():
    table, rows = GeneTable().fit(pd.DataFrame({"r": ["b", "a"], "t": ["c", "b"]}))
    assert list(table.names) == ["a", "b", "c"] and rows.tolist() == [[1, 2], [0, 1]]
    table, rows = GeneTable().fit(np.array([[4, 1]]))
    assert table.names is None and table.n_genes == 5
    table, rows = GeneTable().fit(pd.DataFrame([[4, 1]]))  # a DataFrame of integers: rows, as an array
    assert table.names is None and table.n_genes == 5 and rows.tolist() == [[4, 1]]
    with pytest.raises(GRNInputError, match="X holds gene names but the gene table has none"):
        table.rows(pd.DataFrame({"r": ["a"], "t": ["b"]}))


@pytest.mark.parametrize("make", [
    lambda: TwoTowerClassifier(node_features=FEATURES, **TINY),
    lambda: DegreeBaseline(node_features=FEATURES),
])
def test_dataframe_of_integer_ids(make):
    """Integer IDs as text are names; as a DataFrame of integers they are refused, not read as rows."""
    model = make().fit(as_ids(PAIRS).astype(str), Y)
    by_name = model.decision_function(as_ids(PAIRS).astype(str))
    np.testing.assert_array_equal(by_name, model.decision_function(PAIRS))  # the same genes by row
    with pytest.raises(GRNInputError, match=r"X is a DataFrame of integers .*\(X\.astype\(str\)\).*\(X\.to_numpy\(\)\)"):
        model.decision_function(as_ids(PAIRS))
    with pytest.raises(GRNInputError, match="DataFrame of integers"):
        make().fit(as_ids(PAIRS), Y)


def test_eval_set_and_scoring_follow_the_rule():
    model = TwoTowerClassifier(node_features=FEATURES, **TINY)
    with pytest.raises(GRNInputError, match="eval_set X is a DataFrame of integers"):
        model.fit(PAIRS, Y, eval_set=(as_ids(PAIRS), Y))
    model.fit(PAIRS, Y)
    by_row = rank_edges(model, regulators=[0, 1], targets=[2, 3])
    by_name = rank_edges(model, regulators=["7157", "672"], targets=["1956", "3845"])
    pd.testing.assert_frame_equal(by_row, by_name)


def test_dataframe_of_integers_without_names_is_rows():
    model = TwoTowerClassifier(node_features=FEATURES.to_numpy(), **TINY).fit(pd.DataFrame(PAIRS), Y)
    np.testing.assert_array_equal(model.decision_function(pd.DataFrame(PAIRS)), model.decision_function(PAIRS))


def test_huge_unsigned_index_is_named_not_called_negative():
    X = np.array([[0, 2**63 + 5], [1, 2]], dtype=np.uint64)
    with pytest.raises(GeneIndexError, match="X contains gene index 9223372036854775813 in row 0, beyond any gene"):
        GeneTable().fit(X)


def test_threads_capped_at_the_usable_cores():
    import os

    from grnfast.genes import effective_threads

    cores = len(os.sched_getaffinity(0))
    assert effective_threads(1000) == cores and effective_threads(1) == 1 and effective_threads(-1) == cores
    with pytest.raises(GRNInputError, match="n_jobs must be a non-zero integer"):
        effective_threads(0)
