"""Metrics, bootstrap intervals and seed summaries: hand-computed cases, agreement
with sklearn.metrics, and properties of the intervals."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, f1_score, precision_score, roc_auc_score

from grnfast.evaluation import (
    best_f1_threshold,
    bootstrap_ci,
    early_precision,
    early_precision_ratio,
    evaluate,
    per_regulator_auroc,
    runs_table,
    format_mean_sd,
    markdown_table,
    seed_summary,
    summarize_runs,
    threshold_metrics,
)

# Six pairs, two edges; hand-worked values below.
Y = np.array([1, 0, 1, 0, 0, 0])
S = np.array([0.9, 0.8, 0.4, 0.3, 0.2, 0.6])


def scored_pairs(min_size=4, max_size=60):
    """Hypothesis strategy: labels with both classes and scores with ties."""

    @st.composite
    def build(draw):
        n = draw(st.integers(min_size, max_size))
        y = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
        y[0], y[1] = True, False
        scores = np.array(draw(st.lists(st.integers(0, 8), min_size=n, max_size=n))) / 8.0
        return y.astype(int), scores

    return build()


def test_threshold_metrics_by_hand():
    # At 0.5, called edges are 0.9, 0.8, 0.6: one true edge of three calls, one of two edges found.
    metrics = threshold_metrics(Y, S)
    assert metrics == pytest.approx({"accuracy": 3 / 6, "precision": 1 / 3, "recall": 1 / 2, "f1": 0.4})
    assert threshold_metrics(Y, S, threshold=0.95)["precision"] == 0.0  # nothing called: 0, no warning


def test_early_precision_by_hand():
    # k = 2 edges; the top 2 scores are 0.9 (edge) and 0.8 (not): precision 1/2, prevalence 1/3.
    assert early_precision(Y, S) == 0.5
    assert early_precision_ratio(Y, S) == pytest.approx(1.5)
    assert early_precision(Y, S, k=3) == pytest.approx(1 / 3)


def test_early_precision_includes_ties_at_the_cutoff():
    # As in BEELINE: the pairs tied with the k-th score all count, whatever their order.
    y = np.array([1, 1, 0, 0, 0])
    s = np.array([0.9, 0.5, 0.5, 0.5, 0.1])
    assert early_precision(y, s) == pytest.approx(2 / 4)
    assert early_precision(y[::-1], s[::-1]) == pytest.approx(2 / 4)


def test_perfect_and_reversed_rankings():
    assert early_precision_ratio(Y, Y.astype(float)) == pytest.approx(3.0)  # 1 / prevalence
    assert evaluate(Y, 1.0 - Y)["auroc"] == 0.0


def test_best_f1_threshold_by_hand():
    # Thresholds 0.9 -> F1 2/3 (P 1, R 1/2); 0.4 -> F1 4/7 (P 2/5, R 1); 0.8 and 0.6 lower.
    assert best_f1_threshold(Y, S) == 0.9
    assert threshold_metrics(Y, S, threshold=best_f1_threshold(Y, S))["f1"] == pytest.approx(2 / 3)


@settings(max_examples=40, deadline=None)
@given(data=scored_pairs())
def test_best_f1_threshold_is_the_best_score_cutoff(data):
    y, s = data
    best = threshold_metrics(y, s, best_f1_threshold(y, s))["f1"]
    every_cutoff = [f1_score(y, s >= t, zero_division=0) for t in np.unique(s)]
    assert best == pytest.approx(max(every_cutoff))


@settings(max_examples=40, deadline=None)
@given(data=scored_pairs(), threshold=st.sampled_from([0.25, 0.5, 0.75]))
def test_evaluate_agrees_with_sklearn(data, threshold):
    y, s = data
    result = evaluate(y, s, threshold=threshold)
    assert result["auroc"] == pytest.approx(roc_auc_score(y, s))
    assert result["auprc"] == pytest.approx(average_precision_score(y, s))
    assert result["precision"] == pytest.approx(precision_score(y, s >= threshold, zero_division=0))
    assert result["prevalence"] == pytest.approx(y.mean())
    assert (result["n_pairs"], result["n_edges"]) == (len(y), y.sum())


def test_per_regulator_auroc_by_hand():
    # Regulator a: its edge (0.9) above both non-edges (0.8, 0.3): 1. Regulator b:
    # its edge (0.4) above 0.2, below 0.6: 1/2. Regulator c: one non-edge, no AUROC.
    regulators = ["a", "a", "b", "a", "b", "b"]
    y, s = np.array([1, 0, 1, 0, 0, 0]), np.array([0.9, 0.8, 0.4, 0.3, 0.2, 0.6])
    assert per_regulator_auroc(y, s, regulators) == pytest.approx(0.75)
    with_c = per_regulator_auroc(np.append(y, 0), np.append(s, 0.5), regulators + ["c"])
    assert with_c == pytest.approx(0.75)
    # A tie between an edge and a non-edge counts one half.
    assert per_regulator_auroc([1, 0, 1, 0], [0.5, 0.5, 0.7, 0.1], ["a", "a", "b", "b"]) == pytest.approx(0.75)
    assert np.isnan(per_regulator_auroc([1, 0], [0.5, 0.1], ["a", "b"]))  # no regulator has both classes
    metrics = evaluate(y, s, regulators=regulators)
    assert metrics["auroc_per_regulator"] == pytest.approx(0.75) and "auroc_per_regulator" not in evaluate(y, s)
    with pytest.raises(ValueError, match="one entry per pair"):
        per_regulator_auroc(y, s, regulators[:3])


@settings(max_examples=40, deadline=None)
@given(data=scored_pairs(), groups=st.integers(1, 5), seed=st.integers(0, 2**31 - 1))
def test_per_regulator_auroc_is_the_mean_of_sklearns(data, groups, seed):
    y, s = data
    regulators = np.random.default_rng(seed).integers(0, groups, len(y))
    own = [roc_auc_score(y[regulators == g], s[regulators == g]) for g in np.unique(regulators)
           if 0 < y[regulators == g].sum() < (regulators == g).sum()]
    result = per_regulator_auroc(y, s, regulators)
    assert (np.isnan(result) and not own) or result == pytest.approx(np.mean(own))


@pytest.mark.parametrize(
    "y, s, message",
    [
        ([1, 1, 1], [0.1, 0.2, 0.3], "both edges"),
        ([1, 0, 2], [0.1, 0.2, 0.3], "0/1"),
        ([1, 0], [0.1], "equal length"),
        ([1, 0], [0.1, np.nan], "NaN"),
    ],
)
def test_bad_metric_inputs(y, s, message):
    with pytest.raises(ValueError, match=message):
        evaluate(y, s)


# ---- bootstrap -----------------------------------------------------------------


def noisy_scores(n, prevalence=0.2, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < prevalence).astype(int)
    y[:2] = [1, 0]
    return y, np.round(rng.standard_normal(n) + 1.2 * y, 1)  # rounded: plenty of ties


def test_vectorised_bootstrap_equals_resampling_with_sklearn():
    # Same seed, same resamples: the weighted-cumsum path must give sklearn's values.
    y, s = noisy_scores(300)
    fast = bootstrap_ci(y, s, ("auroc", "auprc", "epr"), n_boot=200, random_state=7)
    slow = bootstrap_ci(y, s, (roc_auc_score, average_precision_score, early_precision_ratio), n_boot=200, random_state=7)
    for name, reference in [("auroc", "roc_auc_score"), ("auprc", "average_precision_score"), ("epr", "early_precision_ratio")]:
        assert fast[name] == pytest.approx(slow[reference], rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(40, 400))
def test_bootstrap_interval_contains_the_estimate(seed, n):
    y, s = noisy_scores(n, seed=seed % 1000)
    for ci in bootstrap_ci(y, s, ("auroc", "auprc"), n_boot=300, random_state=seed).values():
        assert ci.low <= ci.estimate <= ci.high


def test_bootstrap_interval_shrinks_with_more_data():
    # Copies of one data set: the same AUROC on 1x, 4x and 16x the pairs.
    y, s = noisy_scores(200, seed=1)
    widths = []
    for copies in (1, 4, 16):
        ci = bootstrap_ci(np.tile(y, copies), np.tile(s, copies), ("auroc",), n_boot=500, random_state=0)["auroc"]
        assert ci.estimate == pytest.approx(roc_auc_score(y, s))
        widths.append(ci.high - ci.low)
    assert widths[0] > widths[1] > widths[2]
    assert widths[0] / widths[2] == pytest.approx(4.0, rel=0.2)  # width ~ 1 / sqrt(n)


def test_bootstrap_is_reproducible_and_keeps_both_classes():
    y, s = noisy_scores(50, prevalence=0.04)  # only a few edges
    first = bootstrap_ci(y, s, ("auroc", "f1"), n_boot=50, random_state=3)
    assert first == bootstrap_ci(y, s, ("auroc", "f1"), n_boot=50, random_state=3)
    assert first["f1"].estimate == evaluate(y, s)["f1"]
    narrow = bootstrap_ci(y, s, ("auroc",), n_boot=50, confidence=0.5, random_state=3)["auroc"]
    assert first["auroc"].low <= narrow.low <= narrow.high <= first["auroc"].high


def test_bootstrap_rejects_bad_arguments():
    y, s = noisy_scores(30)
    with pytest.raises(ValueError, match="unknown metrics"):
        bootstrap_ci(y, s, ("auc",))
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_ci(y, s, n_boot=1)
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_ci(y, s, confidence=95)


# ---- across seeds ----------------------------------------------------------------


def test_seed_summary_by_hand():
    summary = seed_summary([0.8, 0.9, 1.0])
    assert summary["mean"] == pytest.approx(0.9)
    assert summary["sd"] == pytest.approx(0.1)  # ddof = 1
    assert summary["cv"] == pytest.approx(0.1 / 0.9)
    assert summary["n"] == 3
    half = 4.302652729911275 * 0.1 / np.sqrt(3)  # t(0.975, 2 degrees of freedom) * sd / sqrt(n)
    assert (summary["ci_low"], summary["ci_high"]) == pytest.approx((0.9 - half, 0.9 + half))
    single = seed_summary([0.7])
    assert np.isnan(single["sd"]) and np.isnan(single["cv"]) and np.isnan(single["ci_low"])
    assert np.isnan(seed_summary([-1.0, 1.0])["cv"])


def test_runs_table_and_summary():
    y, s = noisy_scores(100)
    runs = [({"model": "degree", "seed": seed}, y, s + 0.01 * seed) for seed in range(3)]
    runs.append(({"model": "fixed", "seed": 0}, {"auroc": 0.5, "auprc": 0.2, "epr": 1.0}))
    table = runs_table(runs)
    assert list(table.columns[:2]) == ["model", "seed"] and len(table) == 4
    summary = summarize_runs(table)
    degree_auroc = summary[(summary.model == "degree") & (summary.metric == "auroc")].iloc[0]
    assert degree_auroc["mean"] == pytest.approx(table.auroc[:3].mean())
    assert degree_auroc["sd"] == pytest.approx(table.auroc[:3].std(ddof=1))
    assert degree_auroc["n"] == 3
    assert set(summary.metric) == {"auroc", "auprc", "epr"}
    assert list(summary.columns) == ["model", "metric", "mean", "sd", "cv", "n"]
    with pytest.raises(ValueError, match="no columns"):
        summarize_runs(pd.DataFrame({"model": ["a"]}))
    wide = summarize_runs(table, metrics=("auroc",), stats=("mean", "ci_high"), wide=True)
    assert list(wide.columns) == ["model", "runs", "auroc_mean", "auroc_ci_high"]
    assert wide.runs.tolist() == [3, 1] and wide.auroc_mean[0] == degree_auroc["mean"]


def test_mean_sd_text_and_markdown_table():
    assert format_mean_sd(0.91234, 0.0456) == "0.912 ± 0.046"
    assert format_mean_sd(0.91234, 0.0456, digits=1, interval=(0.8, 1.0)) == "0.9 ± 0.0 [0.8, 1.0]"
    assert format_mean_sd(0.91234, float("nan"), interval=(np.nan, np.nan)) == "0.912"  # one run
    table = markdown_table(pd.DataFrame({"model": ["degree", "two-tower"], "AUROC": ["0.800", "0.900"], "n": [1, 2]}))
    assert table == "| model | AUROC | n |\n|---|---|---|\n| degree | 0.800 | 1 |\n| two-tower | 0.900 | 2 |"
