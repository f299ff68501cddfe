"""``grnfast infer`` on a prior missing every edge into some genes, scored on those
genes (``bench/infer_held_out_targets.py`` runs it on 4 benchmarks x 5 seeds)."""
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from infer_held_out_targets import (OUT_DEGREE, baseline_scores, held_out_targets, recommended_summary,  # noqa: E402
                                    run_one, summary)


def test_the_recommended_network_ranks_the_regulators_of_genes_the_prior_lacks(shared_data):
    """STRING mESC 500, seed 1: a quarter of the genes with known regulators held out
    of the prior; with the defaults the recommended network (for those genes, the
    check's blend) beats the recommended model alone, regulator out-degree over the
    prior and the absolute correlation on AUROC and AUPRC over the prior's
    regulators x those genes, and over every gene the prior has no edge into."""
    rows = run_one(shared_data, "STRING mESC 500", 1, "negative", progress=False)
    for group in ("test", "without edges"):
        scored = {row["scorer"]: row for row in rows if row["group"] == group}
        recommended = next(row for name, row in scored.items() if name.startswith("recommended"))
        alone = scored[recommended["scorer"][len("recommended ("):-1]]
        assert 0 < recommended["prevalence"] < 0.1
        for name in (OUT_DEGREE, "abs. Pearson correlation"):
            for metric in ("auroc", "auprc"):
                assert recommended[metric] > max(scored[name][metric], alone[metric]), (group, name, metric)
    check = [row for row in rows if row["group"] == "infer's check"]
    assert {row["scorer"] for row in check} >= {OUT_DEGREE} and len(check) == 3


def test_held_out_targets_are_drawn_among_the_genes_with_regulators_and_never_overlap():
    edges = pd.DataFrame({"Gene1": [f"tf{i % 7}" for i in range(100)], "Gene2": [f"g{i % 40}" for i in range(100)]})
    test, validation = held_out_targets(edges, seed=3)
    assert len(test) == 10 and len(validation) == 6 and not set(test) & set(validation)
    assert set(test) | set(validation) <= set(edges.Gene2)
    assert (test, validation) == held_out_targets(edges, seed=3) and test != held_out_targets(edges, seed=4)[0]


def test_the_baselines_are_the_regulators_out_degree_over_the_prior_and_the_correlation():
    prior = pd.DataFrame({"Gene1": ["a", "a", "b"], "Gene2": ["x", "y", "x"]})
    profiles = np.random.default_rng(0).normal(size=(5, 20))
    expression = pd.DataFrame(profiles, index=["a", "b", "c", "x", "z"])
    pairs = pd.DataFrame({"regulator": ["a", "b", "c"], "target": ["z", "z", "z"]})
    scores = baseline_scores(pairs, prior, expression, None)
    assert list(scores) == [OUT_DEGREE, "abs. Pearson correlation"]
    assert scores[OUT_DEGREE].tolist() == [2.0, 1.0, 0.0]  # c regulates nothing in the prior
    expected = [abs(np.corrcoef(profiles[i], profiles[4])[0, 1]) for i in range(3)]
    assert np.allclose(scores["abs. Pearson correlation"], expected)


def test_the_summary_pools_the_recommended_network_whichever_model_it_was():
    base = {"benchmark": "b", "group": "test", "policy": "unknown", "auroc": 0.8, "auprc": 0.2,
            "auroc_per_regulator": 0.7, "auroc_per_target": 0.75, "prevalence": 0.02}
    runs = pd.DataFrame([{**base, "seed": 1, "scorer": "recommended (two-tower)"},
                         {**base, "seed": 2, "scorer": "recommended (cross-encoder)", "auroc": 0.6}])
    table = summary(runs)
    assert table.scorer.tolist() == ["recommended"] and table.auroc.tolist() == [0.7] and table.seeds.tolist() == [2]


def test_the_recommended_summary_compares_on_the_seeds_with_a_recommended_model_only():
    base = {"benchmark": "b", "group": "test", "policy": "unknown", "auprc": 0.2, "auroc_per_regulator": 0.7,
            "auroc_per_target": 0.75, "prevalence": 0.02}
    runs = pd.DataFrame([{**base, "seed": 1, "scorer": OUT_DEGREE, "auroc": 0.6},
                         {**base, "seed": 1, "scorer": "two-tower", "auroc": 0.65},
                         {**base, "seed": 1, "scorer": "recommended (two-tower)", "auroc": 0.7},
                         {**base, "seed": 2, "scorer": OUT_DEGREE, "auroc": 0.9},
                         {**base, "seed": 2, "scorer": "two-tower", "auroc": 0.5}])
    table = recommended_summary(runs).set_index("scorer")
    assert table.auroc.to_dict() == {OUT_DEGREE: 0.6, "recommended model alone": 0.65, "recommended network": 0.7}
    assert (table.seeds == 1).all()


def test_grnboost2_rows_are_added_to_runs_without_them_on_the_same_pairs(monkeypatch):
    import infer_held_out_targets as bench

    rng = np.random.default_rng(0)
    genes = [f"g{i}" for i in range(30)]
    edges = pd.DataFrame({"Gene1": [f"g{i % 5}" for i in range(60)], "Gene2": [genes[5 + i % 25] for i in range(60)]})
    edges = edges.drop_duplicates()
    expression = pd.DataFrame(rng.normal(size=(30, 10)), index=genes)
    importance = pd.Series(rng.random(len(edges)), index=pd.MultiIndex.from_frame(edges, names=["TF", "target"]))
    monkeypatch.setattr(bench, "read_benchmark", lambda root, benchmark: (None, edges, expression, importance))
    runs = pd.DataFrame([{"benchmark": "b", "seed": 1, "policy": "unknown", "scorer": "two-tower"},
                         {"benchmark": "b", "seed": 2, "policy": "unknown", "scorer": "GRNBoost2"}])
    rows = pd.DataFrame(bench.grnboost2_rows("data", runs))
    assert set(rows.seed) == {1} and rows.group.tolist() == ["validation", "test", "without edges"]
    _, parts = bench.groups(edges, np.array(genes), 1)
    for (group, _, pairs, y), (_, row) in zip(parts, rows.iterrows()):
        scores = importance.reindex(pd.MultiIndex.from_frame(pairs)).fillna(0.0).to_numpy()
        assert row["auroc"] == pytest.approx(bench.metrics_of(y, scores, pairs)["auroc"])
        assert row["n_pairs"] == len(y) == len(pairs)
