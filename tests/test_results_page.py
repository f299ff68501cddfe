"""The results page's tooling (tools/, the runs behind docs/results.md and its
Markdown): the summaries on hand-made runs, the committed page rebuilt from its runs
on disk, the resume bookkeeping, and each part run small on the shared data."""
import functools
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
TOOLS = REPO / "tools"
if not (TOOLS / "results_page.py").is_file():
    pytest.skip(f"the results page's tooling is not at {TOOLS} (it is not installed with grnfast)",
                allow_module_level=True)
sys.path.insert(0, str(TOOLS))  # tools/ is not a package: its modules import each other by name

import benchmark_runs  # noqa: E402
import results_page  # noqa: E402
import selection_runs  # noqa: E402
import study_runs  # noqa: E402
from benchmark_runs import benchmark_settings, negative_regulators_label, run_benchmarks  # noqa: E402
from page_markdown import (against_the_better, against_the_better_text, benchmark_table,  # noqa: E402
                           benchmarks_section, earlier_negatives_text, n_vectors_section, page_markdown, verdicts)

BENCHMARK = ("STRING", "mDC", 500)
FAST = ["--epochs", "2", "--embedding-dim", "8", "--n-jobs", "1", "--quiet"]


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


def test_n_vectors_section_puts_the_candidates_beside_the_defaults():
    row = lambda b, c, m, a: {"benchmark": b, "candidate": c, "model": m, "auroc": a, "auprc": a / 2}  # noqa: E731
    selection = pd.DataFrame([row(b, c, m, a) for b in ("A", "B", "C") for c, m, a in [
        ("-", "degree baseline", 0.8), ("published", "two-tower", 0.6), ("default (x)", "two-tower", 0.9),
        ("default (x)", "cross-encoder", 0.92)]])
    runs = pd.DataFrame([row(b, f"n_vectors={m}", "late-interaction", 0.9 + m / 100) for b in "AB" for m in (2, 4)]
                        + [row(b, "-", "degree baseline", 0.8) for b in "AB"])
    text = n_vectors_section(runs, selection)
    assert "| late-interaction, n_vectors=4 | 0.940 / 0.470 | 0.940 / 0.470 | 0.940 / 0.470 |" in text
    assert "| cross-encoder | 0.920 / 0.460 |" in text and "published" not in text
    assert text.count("| degree baseline |") == 1 and "C AUROC" not in text


def test_the_committed_page_is_rebuilt_from_its_runs_on_disk():
    """docs/results.md is exactly what its runs in docs/results/ render to: the page
    says nothing its runs do not (`python tools/results_page.py --only page`
    rewrites it)."""
    page = REPO / "docs" / "results.md"
    if not (page.parent / "results" / "benchmark_runs.csv").is_file():
        pytest.skip(f"no results page with its runs at {page}")
    assert page_markdown(page.parent / "results", page.parent) == page.read_text(), (
        "docs/results.md is not what its runs render to: python tools/results_page.py --only page")


def test_only_page_trains_nothing_and_needs_no_data(tmp_path, monkeypatch):
    """`--only page` writes the page from the runs on disk: no data folder is looked
    at and nothing runs."""
    folder = tmp_path / "docs" / "results"
    folder.mkdir(parents=True)
    RUNS.assign(prevalence=0.5, protocol="published", seconds=60.0).to_csv(folder / "benchmark_runs.csv", index=False)
    (folder / "benchmark_settings.json").write_text(json.dumps({"preset": "default", "params": {}, "seed": 0,
                                                                "samples": [1, 2], "ensemble_samples": []}))
    for name in ("fetch_beeline", "run_selection", "run_benchmarks", "run_studies"):
        monkeypatch.setattr(results_page, name, lambda *a, name=name, **k: pytest.fail(f"{name} called"))
    page = tmp_path / "docs" / "results.md"
    assert results_page.main(["--only", "page", "--output", str(page), "--data", str(tmp_path / "none")]) == 0
    text = page.read_text()
    assert text.startswith("# Results\n\nGenerated by `python tools/results_page.py --data ../shared/data`")
    assert "training took 12 min" in text and "**Incomplete: 7 of 9" in text and "## Protocol: published" in text


def test_a_wrong_data_folder_is_one_line(tmp_path, capsys):
    code = results_page.main(["--only", "selection", "--data", str(tmp_path / "none"),
                              "--output", str(tmp_path / "docs" / "results.md")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith("results_page: error:")
    assert not (tmp_path / "docs" / "results").exists()


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
    monkeypatch.setattr(benchmark_runs, "available_benchmarks", lambda root: [("STRING", "mDC", 500)])
    monkeypatch.setattr(benchmark_runs, "evaluate_benchmark", lambda root, network, cell, n, samples, **kw: calls.append(
        (network, kw["protocol"], *samples)))
    args = (tmp_path / "runs.csv", tmp_path, [4, 5], [], {}, "default", 0, False)
    run_benchmarks(*args)
    assert calls and all(network == "STRING" for network, *_ in calls)
    calls.clear()
    run_benchmarks(tmp_path / "runs.csv", tmp_path, [2, 1], [], {}, "default", 0, False)
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

    monkeypatch.setattr(benchmark_runs, "available_benchmarks", lambda root: [("STRING", "mDC", 500)])
    monkeypatch.setattr(benchmark_runs, "evaluate_benchmark", evaluate)
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
    run_benchmarks(*args, protocols=("published",), models=("two-tower", "cross-encoder"))
    assert calls == [("two-tower", "cross-encoder")]
    runs = pd.read_csv(path).set_index("model")
    assert len(runs) == 4 and not runs.reset_index().duplicated(key).any()
    assert runs.loc[["two-tower", "cross-encoder"], "auroc"].eq(0.9).all()
    assert runs.loc[["degree baseline", "expression baseline"], "auroc"].eq(0.5).all()
    assert runs.loc[["two-tower", "cross-encoder"], "negative_regulators"].eq("TF list").all()
    assert runs.loc[["degree baseline", "expression baseline"], "negative_regulators"].isna().all()
    assert earlier_negatives_text(pd.read_csv(path), settings) == ""

    calls.clear()
    run_benchmarks(*args, protocols=("published",), models=("two-tower", "cross-encoder"))
    assert calls == []
    # Runs asked with another choice record it, and the page warns about them.
    assert earlier_negatives_text(pd.read_csv(path), {**settings, "params": {"negative_regulators": None}})
    assert negative_regulators_label({"negative_regulators": None}) == "training edges"
    assert negative_regulators_label({"negative_regulators": ["Sox2"]}) == "given genes"


# Each part run small on the shared data (skipped without it).

def test_benchmarks_part_on_one_benchmark(shared_data, tmp_path):
    """The command on a data folder holding a single benchmark and sample: both
    protocols, then resuming trains nothing again, and a model missing from the runs
    on disk trains alone."""
    network, cell, n = BENCHMARK
    root = tmp_path / "data"
    (root / "beeline" / f"{network} Dataset" / cell).mkdir(parents=True)
    (root / "beeline" / f"{network} Dataset" / cell / f"TFs+{n}").symlink_to(
        shared_data / "beeline" / f"{network} Dataset" / cell / f"TFs+{n}")
    (root / "beeline-splits" / network / f"{cell} {n}").mkdir(parents=True)
    (root / "beeline-splits" / network / f"{cell} {n}" / "sample1").symlink_to(
        shared_data / "beeline-splits" / network / f"{cell} {n}" / "sample1")
    page = tmp_path / "docs" / "results.md"
    args = ["--data", str(root), "--output", str(page), "--only", "benchmarks", "--samples", "1",
            "--ensemble-samples", "--protocols", "published", "degree-controlled", *FAST]
    assert results_page.main(args) == 0
    text = page.read_text()
    assert f"| {network} {cell} {n} | 1 |" in text and "two-tower" in text and "cross-encoder" in text
    assert "## Protocol: published" in text and "## Protocol: degree-controlled" in text
    assert "against the degree baseline and the expression baseline" in text
    runs_path = tmp_path / "docs" / "results" / "benchmark_runs.csv"
    runs = pd.read_csv(runs_path)
    # per protocol: four baselines, three models, each model times the degree baseline
    assert runs.groupby("protocol").size().to_dict() == {"published": 10, "degree-controlled": 10}
    degree = runs[runs.model == "degree baseline"].set_index("protocol").auroc
    # Degree-matched negatives take the marginal degrees away; what is left is how
    # hub regulators pair with hub targets among the edges (0.62 here).
    assert degree["published"] > 0.8 and degree["degree-controlled"] < min(0.7, degree["published"] - 0.2)
    assert results_page.main(args) == 0  # resumes: nothing to train again
    assert len(pd.read_csv(runs_path)) == 20
    # A model missing from the runs on disk (one added later) trains alone; the
    # baselines already there are not written twice, and its rows are as before.
    runs[~runs.model.str.startswith("late-interaction")].to_csv(runs_path, index=False)
    assert results_page.main(args + ["--models", "two-tower", "cross-encoder"]) == 0  # not asked for: still missing
    assert len(pd.read_csv(runs_path)) == 16
    assert results_page.main(args) == 0
    resumed = pd.read_csv(runs_path)
    key = ["protocol", "model"]
    assert not resumed.duplicated(key).any() and len(resumed) == 20
    metrics = ["auroc", "auprc", "n_pairs"]
    assert resumed.sort_values(key)[key + metrics].reset_index(drop=True).equals(
        runs.sort_values(key)[key + metrics].reset_index(drop=True))


def test_runs_made_with_other_settings_are_dropped_before_anything_runs(shared_data, tmp_path, monkeypatch):
    """Even a run stopped before its first benchmark must not leave the old runs
    under the new settings (a later resume would take them as its own)."""
    folder = tmp_path / "docs" / "results"
    folder.mkdir(parents=True)
    (folder / "benchmark_settings.json").write_text('{"preset": "published"}')
    pd.DataFrame({"model": ["two-tower"], "benchmark": ["STRING mESC 500"], "sample": [1]}).to_csv(
        folder / "benchmark_runs.csv", index=False)

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(results_page, "run_benchmarks", stopped)
    with pytest.raises(KeyboardInterrupt):
        results_page.write_results_page(tmp_path / "docs" / "results.md", data=shared_data, parts=("benchmarks",))
    assert not (folder / "benchmark_runs.csv").exists()
    assert '"preset": "default"' in (folder / "benchmark_settings.json").read_text()


def test_studies_part(shared_data, tmp_path, monkeypatch):
    """The studies part runs each study on each data set, records its time, and
    the page shows its table; here one tiny study on one small data set."""
    from grnfast.data import GRNDataset
    from grnfast.studies import effective_rank

    small = GRNDataset.synthetic(random_state=0, n_genes=200, n_regulators=20, n_cells=200, n_cell_types=4)
    monkeypatch.setattr(study_runs, "study_datasets", lambda root, seed=0: {"small": small})
    monkeypatch.setattr(study_runs, "STUDIES", {"effective-rank": functools.partial(effective_rank.run, seeds=1)})
    monkeypatch.setattr(study_runs, "PRESETS", {"tiny": {"embedding_dim": 8, "hidden_layer_sizes": (16, 8),
                                                         "max_iter": 2}})
    page = tmp_path / "docs" / "results.md"
    results_page.write_results_page(page, data=shared_data, parts=("studies",), study_preset="tiny", progress=False)
    text = page.read_text()
    assert "### effective-rank: synthetic" in text and "| cross-encoder | embedding |" in text
    timings = (tmp_path / "docs" / "results" / "studies" / "timings.json").read_text()
    assert '"effective-rank"' in timings


def test_selection_part(shared_data, tmp_path, monkeypatch):
    """The choice of defaults: each candidate trained on sample 1 and scored on
    validation pairs plus random pairs (never test pairs), beside the degree baseline."""
    from grnfast.data import load_beeline
    from grnfast.pipeline import benchmark_task

    tiny = {"embedding_dim": 8, "hidden_layer_sizes": (16, 8), "max_iter": 2, "n_jobs": 1}
    monkeypatch.setattr(selection_runs, "SELECTION_CANDIDATES",
                        {"tiny": tiny, "tiny, random negatives": {**tiny, "random_negative_ratio": 3.0}})
    monkeypatch.setattr(results_page, "SELECTION_BENCHMARKS", (BENCHMARK,))
    page = tmp_path / "docs" / "results.md"
    results_page.write_results_page(page, data=shared_data, parts=("selection",), progress=False)
    runs = pd.read_csv(tmp_path / "docs" / "results" / "selection_runs.csv")
    assert len(runs) == 5 and set(runs.candidate) == {"-", "tiny", "tiny, random negatives"}
    assert "## How the defaults were chosen" in page.read_text()
    # The selection pairs: the validation pairs plus 10 random pairs per validation
    # edge, none of them a training or validation edge, no test pair involved.
    task = benchmark_task(shared_data, load_beeline(shared_data, *BENCHMARK), *BENCHMARK, 1)
    X, y = selection_runs.selection_pairs(task)
    n_val, n_val_edges = len(task.y_val), int(task.y_val.sum())
    assert len(y) == n_val + 10 * n_val_edges and y[n_val:].sum() == 0
    known = set(map(tuple, pd.concat([task.X_train[task.y_train == 1], task.X_val[task.y_val == 1]]).values))
    assert not set(map(tuple, X.iloc[n_val:].values)) & known


def test_protocol_verdicts_compare_means_over_the_samples_each_candidate_ran_on():
    """A candidate on two samples is judged by its mean against the mean of the best
    baseline per sample; one on a single sample against that sample's (rows from
    before the sample column count as sample 1)."""
    from protocol_selection import protocol_verdicts

    def row(sample, candidate, model, auroc, auprc):
        return {"benchmark": "B", "protocol": "cold-genes", "sample": sample, "candidate": candidate,
                "model": model, "auroc": auroc, "auprc": auprc, "auroc_per_regulator": auroc, "prevalence": 0.1}

    runs = pd.DataFrame([
        row(1, "-", "degree baseline", 0.70, 0.20), row(1, "-", "gene-identity baseline", 0.60, 0.30),
        row(2, "-", "degree baseline", 0.50, 0.10), row(2, "-", "gene-identity baseline", 0.55, 0.15),
        row(1, "today", "two-tower", 0.72, 0.25), row(2, "today", "two-tower", 0.60, 0.22),  # 0.66/0.235 vs 0.625/0.225
        row(1, "new", "two-tower", 0.75, 0.35),                                            # 0.75/0.35 vs 0.70/0.30
        row(1, "worse", "two-tower", 0.71, 0.29),                                          # AUPRC under 0.30
    ])
    verdicts = protocol_verdicts(runs).set_index("candidate")
    assert verdicts.loc["today", "samples"] == 2
    assert verdicts.loc["today", "auroc"] == pytest.approx(0.66)
    assert verdicts.loc["today", "auroc_best_baseline"] == pytest.approx(0.625)
    assert verdicts.loc["today", "auprc_best_baseline"] == pytest.approx(0.225)
    assert verdicts.loc["today", "beats"] and verdicts.loc["new", "beats"]
    assert verdicts.loc["new", "auroc_best_baseline"] == pytest.approx(0.70)
    assert not verdicts.loc["worse", "beats"]
    old = protocol_verdicts(runs[runs["sample"] == 1].drop(columns="sample"))  # a file from before the column
    assert set(old.samples) == {1} and len(old) == 3
