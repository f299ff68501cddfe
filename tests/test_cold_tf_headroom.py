"""``bench/cold_tf_headroom.py``: what the other TFs' edges and the expression can
tell of a TF without its own edges (issue 25)."""
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from cold_tf_headroom import (BEST_OTHER_TF, BETAS, CO_EXPRESSED, CORRELATION, IN_DEGREE,  # noqa: E402
                              _chosen, _cross_fitted, _weighted_targets, headroom, row_auroc,
                              row_average_precision, targets_headroom)


@pytest.mark.parametrize("seed", range(5))
def test_row_metrics_equal_scikit_learns_with_ties(seed):
    rng = np.random.default_rng(seed)
    y = (rng.random(60) < 0.3).astype(float)
    scores = rng.integers(0, 4, (5, 60)).astype(float)  # many ties
    aurocs = row_auroc(scores, np.broadcast_to(y, scores.shape))
    for row, (auroc, ap) in enumerate(zip(aurocs, row_average_precision(scores, y))):
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


def test_the_co_expression_transfer_is_in_degree_at_beta_0_and_the_closest_tf_at_large_beta():
    targets = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]], dtype=float)
    correlation = np.array([[1.0, 0.9, -0.2], [0.9, 1.0, 0.1], [-0.2, 0.1, 1.0]])
    uniform = _weighted_targets(correlation, targets, 0.0)
    np.testing.assert_allclose(uniform[0], (targets[1] + targets[2]) / 2)  # the others' mean: in-degree / 2
    np.testing.assert_allclose(_weighted_targets(correlation, targets, 200.0)[0], targets[1], atol=1e-12)


def test_each_half_of_the_regulators_gets_the_beta_the_other_half_prefers():
    """Half the regulators rank best at the first beta, half at the last: each
    regulator is scored at the beta its own half does not prefer, never by its own labels."""
    n = 10
    half = np.random.default_rng(0).permutation(n) % 2
    by_beta = []
    for h in half:
        aurocs = np.full(len(BETAS), 0.5)
        aurocs[0 if h == 0 else -1] = 0.9
        by_beta.append((aurocs, aurocs / 2))
    table = _cross_fitted(by_beta, seed=0)
    np.testing.assert_array_equal(table[f"{CO_EXPRESSED} beta"], np.where(half == 0, BETAS[-1], BETAS[0]))
    np.testing.assert_array_equal(table[f"{CO_EXPRESSED} auroc"], np.full(n, 0.5))
    np.testing.assert_array_equal(table[f"{CO_EXPRESSED} auprc"], np.full(n, 0.25))


def test_the_clear_gain_rule_keeps_beta_zero_unless_a_gain_stands_out_of_its_noise():
    rng = np.random.default_rng(0)
    aurocs = np.full((len(BETAS), 40), 0.7)
    noise = rng.normal(0, 0.05, 40)
    aurocs[2] += 0.002 + noise - noise.mean()  # a small gain, noisy
    aurocs[4] += 0.01 + rng.normal(0, 0.001, 40)  # a larger, steady one
    assert _chosen(aurocs, None) == BETAS[4] == _chosen(aurocs, 2.0)
    aurocs[4] = 0.7
    assert _chosen(aurocs, None) == BETAS[2] and _chosen(aurocs, 2.0) == 0.0


def test_a_regulator_without_an_edge_and_a_non_edge_gets_no_row():
    genes = ["A", "g1", "g2"]
    expression = pd.DataFrame(np.random.default_rng(1).standard_normal((3, 10)), index=genes)
    edges = pd.DataFrame({"Gene1": ["A", "A", "g1"], "Gene2": ["g1", "g2", "g2"]})
    table = headroom(edges, expression)
    assert list(table.regulator) == ["g1"]  # A regulates every other gene


def test_on_specific_hhep_the_other_tfs_edges_say_little_more_than_in_degree(shared_data):
    """Specific hHEP 500 (issue 25's dense ChIP-seq set): left out one at a time,
    a TF's targets are ranked by in-degree nearly as well as by the best other TF's
    targets chosen with its own labels, as well as by the co-expressed TFs' targets
    (within 0.01), and far better than by correlation."""
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
    # a transfer that picks its TFs by co-expression, its beta by other TFs, does not get there
    assert abs(means[f"{CO_EXPRESSED} auroc"] - means[f"{IN_DEGREE} auroc"]) < 0.01, means


def test_left_out_targets_are_ranked_against_the_regulators_by_the_reversed_network():
    """Genes g0 and g1 are co-expressed and regulated by A and B, g2 by C: left out,
    g0's regulators are g1's exactly (oracle AUROC 1), the co-expressed targets'
    regulators find them, and only the network's regulators are its candidates."""
    rng = np.random.default_rng(0)
    genes = ["g0", "g1", "g2", "g3", "A", "B", "C", "D"]
    expression = pd.DataFrame(rng.standard_normal((len(genes), 40)), index=genes)
    expression.loc["g1"] = expression.loc["g0"] + 0.05 * rng.standard_normal(40)
    edges = pd.DataFrame({"Gene1": ["A", "B", "A", "B", "C", "D", "D"],
                          "Gene2": ["g0", "g0", "g1", "g1", "g2", "g3", "g2"]})
    table = targets_headroom(edges, expression).set_index("target")
    assert {"regulator out-degree auroc", "best other target (oracle) auroc",
            "co-expressed targets' regulators auroc", "abs. Pearson correlation auroc"} <= set(table.columns)
    assert table.loc["g0", "best other target (oracle) auroc"] == 1.0
    assert table.loc["g0", "prevalence"] == 0.5  # A and B of the four regulators
    # beta 0 is the out-degree over the other targets (D, with two, first); any
    # beta above 0 weighs g1, whose regulators are g0's, far above the others
    beta = table.loc["g0", "co-expressed targets' regulators beta"]
    expected = 1.0 if beta > 0 else table.loc["g0", "regulator out-degree auroc"]
    assert table.loc["g0", "co-expressed targets' regulators auroc"] == pytest.approx(expected)
    assert table.loc["g0", "regulator out-degree auroc"] == pytest.approx(0.25)
