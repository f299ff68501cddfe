"""``bench/cold_tf_headroom.py``: what the other TFs' edges and the expression can
tell of a TF without its own edges (issue 25)."""
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from cold_tf_headroom import (BEST_OTHER_TF, CORRELATION, IN_DEGREE, headroom,  # noqa: E402
                              row_auroc, row_average_precision)


@pytest.mark.parametrize("seed", range(5))
def test_row_metrics_equal_scikit_learns_with_ties(seed):
    rng = np.random.default_rng(seed)
    y = (rng.random(60) < 0.3).astype(float)
    scores = rng.integers(0, 4, (5, 60)).astype(float)  # many ties
    for row, (auroc, ap) in enumerate(zip(row_auroc(scores, y), row_average_precision(scores, y))):
        assert auroc == pytest.approx(roc_auc_score(y, scores[row]), abs=1e-12)
        assert ap == pytest.approx(average_precision_score(y, scores[row]), abs=1e-12)


def test_a_tf_that_shares_its_targets_with_another_is_known_to_the_oracle_only():
    """TF A and TF B regulate the same genes, TF C other ones: left out, A's targets
    are B's exactly (oracle AUROC 1), while in-degree over B and C ranks C's targets
    level with them; expression follows A's targets, so the correlation finds them too."""
    rng = np.random.default_rng(0)
    genes = [f"g{i}" for i in range(20)] + ["A", "B", "C"]
    edges = pd.DataFrame({"Gene1": ["A"] * 5 + ["B"] * 5 + ["C"] * 5,
                          "Gene2": [f"g{i}" for i in range(5)] * 2 + [f"g{i}" for i in range(5, 10)]})
    driver = rng.standard_normal(30)
    expression = pd.DataFrame(rng.standard_normal((len(genes), 30)), index=genes)
    expression.loc["A"] = driver
    for i in range(5):
        expression.loc[f"g{i}"] = driver + 0.1 * rng.standard_normal(30)
    table = headroom(edges, expression).set_index("regulator")
    assert list(table.index) == ["A", "B", "C"]
    a = table.loc["A"]
    assert a["prevalence"] == pytest.approx(5 / 22)
    assert a[f"{BEST_OTHER_TF} auroc"] == 1.0 and a[f"{BEST_OTHER_TF} auprc"] == 1.0
    # in-degree over B and C: A's 5 targets and C's 5 tie at 1, the other 12 genes at 0
    assert a[f"{IN_DEGREE} auroc"] == pytest.approx((5 * 12 + 0.5 * 5 * 5) / (5 * 17))
    assert a[f"{IN_DEGREE} auprc"] == pytest.approx(0.5)
    assert a[f"{CORRELATION} auroc"] > 0.95
    assert table.loc["C", f"{BEST_OTHER_TF} auroc"] < 1.0  # no other TF has C's targets


def test_a_regulator_without_an_edge_and_a_non_edge_gets_no_row():
    genes = ["A", "g1", "g2"]
    expression = pd.DataFrame(np.random.default_rng(1).standard_normal((3, 10)), index=genes)
    edges = pd.DataFrame({"Gene1": ["A", "A", "g1"], "Gene2": ["g1", "g2", "g2"]})
    table = headroom(edges, expression)
    assert list(table.regulator) == ["g1"]  # A regulates every other gene


def test_on_specific_hhep_the_other_tfs_edges_say_little_more_than_in_degree(shared_data):
    """Specific hHEP 500 (issue 25's dense ChIP-seq set): left out one at a time,
    a TF's targets are ranked by in-degree nearly as well as by the best other TF's
    targets chosen with its own labels, and far better than by correlation."""
    from grnfast.data.beeline import beeline_folder

    folder = beeline_folder(shared_data, "Specific", "hHEP", 500)
    edges = pd.read_csv(next(folder.glob("BL--network.csv*")), dtype=str)
    expression = pd.read_csv(next(folder.glob("BL--ExpressionData.csv*")), index_col=0)
    table = headroom(edges, expression)
    assert len(table) >= 25
    means = table.mean(numeric_only=True)
    gap = means[f"{BEST_OTHER_TF} auroc"] - means[f"{IN_DEGREE} auroc"]
    assert 0 <= gap < 0.05, means
    assert means[f"{IN_DEGREE} auroc"] > means[f"{CORRELATION} auroc"] + 0.2, means
