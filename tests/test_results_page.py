"""The results page's summaries, on hand-made runs (no data files)."""
import json

import pandas as pd
import pytest

import grnfast.results as results

from grnfast.results import (against_the_better, against_the_better_text, benchmark_settings, benchmark_table,
                             benchmarks_section, earlier_negatives_text, verdicts)


def runs_table(rows):
    return pd.DataFrame(rows, columns=["benchmark", "sample", "model", "auroc", "auprc"])


RUNS = runs_table([
    # A: late interaction better on AUROC, the cross-encoder on AUPRC
    ("A", 1, "two-tower", 0.80, 0.30), ("A", 1, "cross-encoder", 0.82, 0.40), ("A", 1, "late-interaction", 0.85, 0.35),
    ("A", 1, "degree baseline", 0.70, 0.20),
    # B: late interaction at least as good on both; sample 2 lacks it, so it is left out
    ("B", 1, "two-tower", 0.60, 0.10), ("B", 1, "cross-encoder", 0.70, 0.20), ("B", 1, "late-interaction", 0.70, 0.25),
    ("B", 2, "two-tower", 0.99, 0.99), ("B", 2, "cross-encoder", 0.99, 0.99),
    ("B", 1, "degree baseline", 0.80, 0.10),
    # C: no late-interaction run at all
    ("C", 1, "two-tower", 0.60, 0.10), ("C", 1, "cross-encoder", 0.70, 0.20),
])


def test_late_interaction_against_the_better_of_the_other_two():
    gaps = against_the_better(RUNS).set_index("benchmark")
    assert list(gaps.index) == ["A", "B"]
    assert gaps.loc["A", "auroc_gap"] == pytest.approx(0.03) and gaps.loc["A", "auprc_gap"] == pytest.approx(-0.05)
    assert gaps.loc["B", "auroc_gap"] == pytest.approx(0.0) and gaps.loc["B", "auprc_gap"] == pytest.approx(0.05)
    assert gaps.loc["B", "samples"] == 1  # only the samples every model has
    text = against_the_better_text(RUNS)
    assert "on both AUROC and AUPRC on 1 of 2 benchmarks, on AUROC on 2, on AUPRC on 1" in text
    assert "Largest AUPRC gap: -0.050 (A)" in text
    assert against_the_better_text(RUNS[RUNS.model != "late-interaction"]) == ""


def test_verdicts_name_the_metric_that_fell_short():
    table = verdicts(RUNS).set_index(["benchmark", "model"])
    assert table.loc[("A", "late-interaction"), "beats"]
    assert not table.loc[("B", "two-tower"), "beats"]
    assert "AUROC 0.795 vs degree baseline 0.800" in table.loc[("B", "two-tower"), "short"]


def test_a_cell_with_fewer_samples_than_its_row_says_how_many():
    runs = RUNS.assign(prevalence=0.5)
    table = benchmark_table(runs[runs.benchmark == "B"], "auroc")
    # Row B has 2 samples; the late-interaction cell 1 of them.
    assert "| B | 2 | 0.500 |" in table and "0.700 (n=1)" in table and "0.795 ± 0.276 |" in table


def test_the_page_says_which_models_are_short_of_samples():
    runs = RUNS.assign(prevalence=0.5, protocol="published")
    text = benchmarks_section(runs, {"preset": "default", "params": {}, "seed": 0, "samples": [1, 2]})
    # B: two-tower and cross-encoder have both samples, late interaction one; A and C one each.
    assert "**Incomplete: 7 of 9 (protocol, benchmark, model) runs" in text
    assert "cross-encoder: 2, late-interaction: 3, two-tower: 2" in text


def test_runs_of_other_samples_stay_and_only_other_settings_drop_them(tmp_path):
    """Resuming with a few samples keeps the others' runs (the page still asks for
    them all); another seed, preset or parameter, or a restart, starts afresh."""
    path = tmp_path / "benchmark_settings.json"
    settings, same = benchmark_settings(path, "default", {"n_jobs": 2}, 0, [1, 2, 3], [])
    assert not same and settings == {"preset": "default", "params": {}, "seed": 0, "samples": [1, 2, 3],
                                     "ensemble_samples": []}
    path.write_text(json.dumps(settings))
    settings, same = benchmark_settings(path, "default", {"n_jobs": 1}, 0, [5], [1])
    assert same and settings["samples"] == [1, 2, 3, 5] and settings["ensemble_samples"] == [1]
    for changed in (("published", {}, 0), ("default", {"max_iter": 3}, 0), ("default", {}, 1)):
        settings, same = benchmark_settings(path, *changed, [5], [])
        assert not same and settings["samples"] == [5]
    settings, same = benchmark_settings(path, "default", {}, 0, [5], [], resume=False)
    assert not same and settings["samples"] == [5]


def test_genelink_demo_runs_once_as_sample_1(tmp_path, monkeypatch):
    """The demo is one split: it runs with sample 1 of the published protocol only,
    not again when a resumed page asks for other samples."""
    (tmp_path / "beeline-splits" / "GENELink-demo").mkdir(parents=True)
    calls = []
    monkeypatch.setattr(results, "available_benchmarks", lambda root: [("STRING", "mDC", 500)])
    monkeypatch.setattr(results, "evaluate_benchmark", lambda root, network, cell, n, samples, **kw: calls.append(
        (network, kw["protocol"], *samples)))
    args = (tmp_path / "runs.csv", tmp_path, [4, 5], [], {}, "default", 0, False)
    results.run_benchmarks(*args)
    assert calls and all(network == "STRING" for network, *_ in calls)
    calls.clear()
    results.run_benchmarks(tmp_path / "runs.csv", tmp_path, [2, 1], [], {}, "default", 0, False)
    assert [call for call in calls if call[0] == "GENELink-demo"] == [("GENELink-demo", "published", 1)]


def test_model_runs_made_before_the_tf_list_are_flagged_then_made_again_and_replaced(tmp_path, monkeypatch):
    """Model rows that drew their random negatives' regulators otherwise than the
    page says (made before the TF list: no label) are shown with a warning, trained
    again on resume and replaced, once; the baselines' rows are not written again."""
    key = ["protocol", "benchmark", "sample", "model"]
    calls = []

    def evaluate(root, network, cell, n, samples, models, **kw):
        calls.append(tuple(models))
        names = ["degree baseline", "expression baseline", *models]
        kw["on_sample"](pd.DataFrame({"model": names, "auroc": 0.9, "auprc": 0.3, "benchmark": "STRING mDC 500",
                                      "sample": samples[0], "protocol": kw["protocol"]}))

    monkeypatch.setattr(results, "available_benchmarks", lambda root: [("STRING", "mDC", 500)])
    monkeypatch.setattr(results, "evaluate_benchmark", evaluate)
    path = tmp_path / "runs.csv"
    before = pd.DataFrame({"model": ["degree baseline", "expression baseline", "two-tower", "cross-encoder"],
                           "auroc": 0.5, "auprc": 0.1, "benchmark": "STRING mDC 500", "sample": 1,
                           "protocol": "published"})
    before.to_csv(path, index=False)
    settings = {"preset": "default", "params": {}, "seed": 0, "samples": [1]}
    warning = earlier_negatives_text(pd.read_csv(path), settings)
    assert "2 of 2 model runs of this protocol (two-tower: 1, cross-encoder: 1)" in warning
    assert "before the TF list (on STRING mDC 500)" in warning
    assert warning in benchmarks_section(pd.read_csv(path).assign(prevalence=0.5), settings)

    args = (path, tmp_path, [1], [], {}, "default", 0, False)
    results.run_benchmarks(*args, protocols=("published",), models=("two-tower", "cross-encoder"))
    assert calls == [("two-tower", "cross-encoder")]
    runs = pd.read_csv(path).set_index("model")
    assert len(runs) == 4 and not runs.reset_index().duplicated(key).any()
    assert runs.loc[["two-tower", "cross-encoder"], "auroc"].eq(0.9).all()
    assert runs.loc[["degree baseline", "expression baseline"], "auroc"].eq(0.5).all()
    assert runs.loc[["two-tower", "cross-encoder"], "negative_regulators"].eq("TF list").all()
    assert runs.loc[["degree baseline", "expression baseline"], "negative_regulators"].isna().all()
    assert earlier_negatives_text(pd.read_csv(path), settings) == ""

    calls.clear()
    results.run_benchmarks(*args, protocols=("published",), models=("two-tower", "cross-encoder"))
    assert calls == []
    # Runs asked with another choice record it, and the page warns about them.
    assert earlier_negatives_text(pd.read_csv(path), {**settings, "params": {"negative_regulators": None}})
    assert results.negative_regulators_label({"negative_regulators": None}) == "training edges"
    assert results.negative_regulators_label({"negative_regulators": ["Sox2"]}) == "given genes"
