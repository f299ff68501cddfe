"""The command line on small real data: the files it writes and its one-line errors."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grnfast.cli import main
from grnfast.data.priors import LowOverlapWarning

FAST = ["--epochs", "2", "--embedding-dim", "8", "--n-jobs", "1", "--quiet"]
BENCHMARK = ("STRING", "mDC", 500)


def expression_file(shared_data, network="STRING", cell="hHEP", n=500):
    return shared_data / "beeline" / f"{network} Dataset" / cell / f"TFs+{n}" / "BL--ExpressionData.csv.gz"


def check_ranked_network(path, regulators, genes, top_k=None):
    edges = pd.read_csv(path)
    assert list(edges.columns) == ["Gene1", "Gene2", "EdgeWeight"]
    assert np.all(np.diff(edges.EdgeWeight.to_numpy()) <= 0), "scores must be sorted, highest first"
    assert edges.EdgeWeight.between(0, 1).all(), "weights are probabilities"
    assert set(edges.Gene1) == set(regulators), "every regulator must be present"
    assert not (edges.Gene1 == edges.Gene2).any()
    per_regulator = edges.groupby("Gene1").size()
    if top_k is None:  # every regulator x gene pair but self-loops
        expected = len(genes) - per_regulator.index.isin(genes).astype(int)
        assert (per_regulator.to_numpy() == expected).all()
    else:
        assert (per_regulator == top_k).all()
    return edges


def test_infer_with_a_prior_writes_every_regulator_gene_pair(shared_data, tmp_path, capsys):
    expression = expression_file(shared_data)
    prior = shared_data / "priors" / "trrust_rawdata.human.tsv"
    with pytest.warns(LowOverlapWarning, match="prior edges match"):  # TRRUST is human-wide, hHEP 500 is not
        code = main(["infer", "--expression", str(expression), "--prior", str(prior), "--model", "two-tower",
                     "--top-k", "all", "--output", str(tmp_path), *FAST])
    assert code == 0
    report = capsys.readouterr().out
    assert "degree baseline" in report and "two-tower" in report
    metrics = pd.read_csv(tmp_path / "metrics.csv")
    assert list(metrics.model) == ["degree baseline", "expression baseline", "correlation baseline",
                                   "gene-identity baseline", "two-tower", "two-tower x degree"]
    assert metrics.auroc.between(0, 1).all()

    genes = pd.read_csv(expression, index_col=0, usecols=[0]).index
    trrust = pd.read_csv(prior, sep="\t", header=None)
    upper = {g.upper(): g for g in genes}
    regulators = {upper[tf.upper()] for tf, target in zip(trrust[0], trrust[1])
                  if tf.upper() in upper and target.upper() in upper and tf.upper() != target.upper()}
    check_ranked_network(tmp_path / "network_two-tower.csv", regulators, genes)


def test_infer_top_k_with_known_edges(shared_data, tmp_path):
    folder = expression_file(shared_data).parent
    code = main(["infer", "--expression", str(folder / "BL--ExpressionData.csv.gz"),
                 "--edges", str(folder / "BL--network.csv.gz"), "--features", "pca", "--model", "cross-encoder",
                 "--top-k", "7", "--output", str(tmp_path), *FAST])
    assert code == 0
    known = pd.read_csv(folder / "BL--network.csv.gz")
    check_ranked_network(tmp_path / "network_cross-encoder.csv", set(known.Gene1), None, top_k=7)


def test_evaluate_on_published_splits(shared_data, tmp_path, capsys):
    network, cell, n = BENCHMARK
    code = main(["evaluate", "--data", str(shared_data), "--network", network, "--cell", cell, "--genes", str(n),
                 "--samples", "2", "--model", "cross-encoder", "--output", str(tmp_path), *FAST])
    assert code == 0
    runs = pd.read_csv(tmp_path / "evaluation_runs.csv")
    assert set(runs["sample"]) == {2}
    assert set(runs.model) == {"degree baseline", "expression baseline", "correlation baseline",
                               "gene-identity baseline", "cross-encoder", "cross-encoder x degree"}
    test = pd.read_csv(shared_data / "beeline-splits" / network / f"{cell} {n}" / "sample2" / "Test_set.csv.gz")
    assert (runs.n_pairs == len(test)).all()
    assert np.allclose(runs.prevalence, test.Label.mean())
    summary = pd.read_csv(tmp_path / "evaluation_summary.csv")
    assert set(summary.metric) == {"auroc", "auprc"}
    assert "cross-encoder" in capsys.readouterr().out


@pytest.mark.parametrize("study", ["ablation", "cold-start"])
def test_study_on_a_benchmark(study, shared_data, tmp_path):
    network, cell, n = BENCHMARK
    code = main(["study", study, "--benchmark", f"{network} {cell} {n}", "--data", str(shared_data),
                 "--tiny", "--quiet", "--n-jobs", "1", "--output", str(tmp_path)])
    assert code == 0
    for suffix in (".md", "_runs.csv", "_summary.csv", ".json"):
        assert (tmp_path / f"{study}{suffix}").is_file()
    runs = pd.read_csv(tmp_path / f"{study}_runs.csv")
    assert "degree baseline" in set(runs.variant)
    assert f"{network} {cell} {n}" in (tmp_path / f"{study}.md").read_text()


def test_results_page_on_one_benchmark(shared_data, tmp_path):
    """The page generator on a data folder holding a single benchmark and sample."""
    network, cell, n = BENCHMARK
    root = tmp_path / "data"
    (root / "beeline" / f"{network} Dataset" / cell).mkdir(parents=True)
    (root / "beeline" / f"{network} Dataset" / cell / f"TFs+{n}").symlink_to(
        shared_data / "beeline" / f"{network} Dataset" / cell / f"TFs+{n}")
    (root / "beeline-splits" / network / f"{cell} {n}").mkdir(parents=True)
    (root / "beeline-splits" / network / f"{cell} {n}" / "sample1").symlink_to(
        shared_data / "beeline-splits" / network / f"{cell} {n}" / "sample1")
    page = tmp_path / "docs" / "results.md"
    args = ["results", "--data", str(root), "--output", str(page), "--only", "benchmarks", "--samples", "1",
            "--ensemble-samples", *FAST]
    assert main(args) == 0
    text = page.read_text()
    assert f"| {network} {cell} {n} | 1 |" in text and "two-tower" in text and "cross-encoder" in text
    assert "## Protocol: published" in text and "## Protocol: degree-controlled" in text
    assert "against the degree baseline and the expression baseline" in text
    runs_path = tmp_path / "docs" / "results" / "benchmark_runs.csv"
    runs = pd.read_csv(runs_path)
    # per protocol: two baselines, three models, each model times the degree baseline
    assert runs.groupby("protocol").size().to_dict() == {"published": 8, "degree-controlled": 8}
    degree = runs[runs.model == "degree baseline"].set_index("protocol").auroc
    # Degree-matched negatives take the marginal degrees away; what is left is how
    # hub regulators pair with hub targets among the edges (0.62 here).
    assert degree["published"] > 0.8 and degree["degree-controlled"] < min(0.7, degree["published"] - 0.2)
    assert main(args) == 0  # resumes: nothing to train again
    assert len(pd.read_csv(runs_path)) == 16
    # A model missing from the runs on disk (one added later) trains alone; the
    # baselines already there are not written twice, and its rows are as before.
    runs[~runs.model.str.startswith("late-interaction")].to_csv(runs_path, index=False)
    assert main(args + ["--models", "two-tower", "cross-encoder"]) == 0  # not asked for: still missing
    assert len(pd.read_csv(runs_path)) == 12
    assert main(args) == 0
    resumed = pd.read_csv(runs_path)
    key = ["protocol", "model"]
    assert not resumed.duplicated(key).any() and len(resumed) == 16
    metrics = ["auroc", "auprc", "n_pairs"]
    assert resumed.sort_values(key)[key + metrics].reset_index(drop=True).equals(
        runs.sort_values(key)[key + metrics].reset_index(drop=True))


def test_results_runs_made_with_other_settings_are_dropped_before_anything_runs(shared_data, tmp_path, monkeypatch):
    """Even a run stopped before its first benchmark must not leave the old runs
    under the new settings (a later resume would take them as its own)."""
    import grnfast.results as results

    folder = tmp_path / "docs" / "results"
    folder.mkdir(parents=True)
    (folder / "benchmark_settings.json").write_text('{"preset": "published"}')
    pd.DataFrame({"model": ["two-tower"], "benchmark": ["STRING mESC 500"], "sample": [1]}).to_csv(
        folder / "benchmark_runs.csv", index=False)

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(results, "run_benchmarks", stopped)
    with pytest.raises(KeyboardInterrupt):
        results.write_results_page(tmp_path / "docs" / "results.md", data=shared_data, parts=("benchmarks",))
    assert not (folder / "benchmark_runs.csv").exists()
    assert '"preset": "default"' in (folder / "benchmark_settings.json").read_text()


@pytest.mark.parametrize("argv, message", [
    (["infer", "--expression", "no-such-file.csv", "--edges", "edges.csv"], "no-such-file.csv"),
    (["infer", "--model", "random-forest"], "invalid choice: 'random-forest'"),
    (["infer", "--prior", "prior.tsv"], "need --expression"),
    (["study", "no-such-study"], "invalid choice"),
    (["evaluate", "--data", "/nonexistent-folder"], "no BEELINE benchmark"),
])
def test_bad_arguments_give_one_line_and_exit_code_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert exit_code(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and err.startswith("grnfast: error:")


def exit_code(argv):
    """main's return value, or the code of the SystemExit argparse raises."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def test_unknown_column_is_one_line(shared_data, tmp_path, capsys):
    edges = tmp_path / "edges.csv"
    pd.DataFrame({"left": ["A"], "right": ["B"]}).to_csv(edges, index=False)
    code = main(["infer", "--expression", str(expression_file(shared_data)), "--edges", str(edges), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "edges.csv" in err and "regulator column" in err


def test_no_overlap_between_expression_and_prior_is_one_line(shared_data, tmp_path, capsys):
    prior = tmp_path / "prior.tsv"
    prior.write_text("NOTAGENE1\tNOTAGENE2\tActivation\t1\nNOTAGENE3\tNOTAGENE4\tUnknown\t2\n")
    code = main(["infer", "--expression", str(expression_file(shared_data)), "--prior", str(prior), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "grnfast: error:" in err
    assert "prior.tsv" in err and "no prior edge has both genes" in err


def test_python_dash_m_entry_point(tmp_path):
    result = subprocess.run([sys.executable, "-m", "grnfast", "infer", "--model", "sideways"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "sideways" in result.stderr


def test_results_page_studies_part(shared_data, tmp_path, monkeypatch):
    """The studies part runs each study on each data set, records its time, and
    the page shows its table; here one tiny study on one small data set."""
    import functools

    import grnfast.results as results
    from grnfast.data import GRNDataset
    from grnfast.studies import effective_rank

    small = GRNDataset.synthetic(random_state=0, n_genes=200, n_regulators=20, n_cells=200, n_cell_types=4)
    monkeypatch.setattr(results, "study_datasets", lambda root, seed=0: {"small": small})
    monkeypatch.setattr(results, "STUDIES", {"effective-rank": functools.partial(effective_rank.run, seeds=1)})
    monkeypatch.setattr(results, "PRESETS", {"tiny": {"embedding_dim": 8, "hidden_layer_sizes": (16, 8),
                                                      "max_iter": 2}})
    page = tmp_path / "docs" / "results.md"
    results.write_results_page(page, data=shared_data, parts=("studies",), study_preset="tiny", progress=False)
    text = page.read_text()
    assert "### effective-rank: synthetic" in text and "| cross-encoder | embedding |" in text
    timings = (tmp_path / "docs" / "results" / "studies" / "timings.json").read_text()
    assert '"effective-rank"' in timings


def test_guide_example_h5ad_and_prior_runs(shared_data, tmp_path):
    """examples/h5ad_and_prior.py, quoted in docs/guide.md, runs and writes its network."""
    script = Path(__file__).resolve().parents[1] / "examples" / "h5ad_and_prior.py"
    result = subprocess.run([sys.executable, "-W", "ignore::UserWarning", str(script), str(shared_data),
                             str(tmp_path), "uniform"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "556 of 8427 distinct edges kept" in result.stdout
    edges = pd.read_csv(tmp_path / "network.csv")
    assert list(edges.columns) == ["Gene1", "Gene2", "EdgeWeight"]
    assert (edges.groupby("Gene1").size() == 20).all()


@pytest.mark.parametrize("argv, message", [
    (["infer", "--epochs", "0"], "argument --epochs: must be a positive integer; got '0'"),
    (["infer", "--embedding-dim", "0"], "argument --embedding-dim: must be a positive integer; got '0'"),
    (["infer", "--negatives", "nan"], "argument --negatives: must be a positive finite number; got 'nan'"),
    (["infer", "--negatives", "-1"], "argument --negatives: must be a positive finite number"),
    (["infer", "--top-k", "0"], "argument --top-k: must be a positive integer"),
    (["infer", "--top-k", "every"], "argument --top-k: must be a positive integer; got 'every'"),
    (["infer", "--format", "arboreto"], "argument --format: invalid choice: 'arboreto'"),
    (["infer", "--n-jobs", "0"], "argument --n-jobs: must be a non-zero integer"),
    (["study", "ablation", "--seeds", "0"], "argument --seeds: must be a positive integer"),
    (["study", "ablation", "--benchmark", "mESC"], 'argument --benchmark: must be "NETWORK CELL N"'),
    (["evaluate", "--samples", "0"], "argument --samples: must be a positive integer"),
])
def test_every_option_is_checked_before_anything_runs(argv, message, capsys, monkeypatch):
    """--epochs 0 and --embedding-dim 0 used to be ignored (training ran with the defaults)."""
    import grnfast.pipeline

    monkeypatch.setattr(grnfast.pipeline, "train", lambda *a, **k: pytest.fail("training started"))
    assert exit_code(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


def test_output_folder_is_checked_before_training(tmp_path, capsys, monkeypatch):
    import grnfast.pipeline

    monkeypatch.setattr(grnfast.pipeline, "train", lambda *a, **k: pytest.fail("training started"))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["infer", "--output", str(blocker / "out"), *FAST]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"--output {blocker / 'out'}: cannot write there" in err


def test_a_bug_shows_its_traceback_and_debug_shows_every_traceback(tmp_path, monkeypatch):
    """Only the user's mistakes (GRNInputError, OSError) become one line; an internal
    error such as a KeyError propagates, and --debug propagates every error."""
    from grnfast import GRNInputError
    from grnfast.data import InputFiles

    with pytest.raises(GRNInputError, match="need --expression"):
        main(["infer", "--prior", "prior.tsv", "--debug", "--output", str(tmp_path)])

    def broken(self, **options):
        raise KeyError("an internal bug")

    monkeypatch.setattr(InputFiles, "load", broken)
    with pytest.raises(KeyError, match="an internal bug"):
        main(["infer", "--output", str(tmp_path), *FAST])


def test_results_page_selection_part(shared_data, tmp_path, monkeypatch):
    """The choice of defaults: each candidate trained on sample 1 and scored on
    validation pairs plus random pairs (never test pairs), beside the degree baseline."""
    import grnfast.results as results
    from grnfast.data import load_beeline
    from grnfast.pipeline import benchmark_task, selection_pairs

    tiny = {"embedding_dim": 8, "hidden_layer_sizes": (16, 8), "max_iter": 2, "n_jobs": 1}
    monkeypatch.setattr(results, "SELECTION_CANDIDATES", {"tiny": tiny, "tiny, random negatives":
                                                          {**tiny, "random_negative_ratio": 3.0}})
    monkeypatch.setattr(results, "SELECTION_BENCHMARKS", (BENCHMARK,))
    page = tmp_path / "docs" / "results.md"
    results.write_results_page(page, data=shared_data, parts=("selection",), progress=False)
    runs = pd.read_csv(tmp_path / "docs" / "results" / "selection_runs.csv")
    assert len(runs) == 5 and set(runs.candidate) == {"-", "tiny", "tiny, random negatives"}
    assert "## How the defaults were chosen" in page.read_text()
    # The selection pairs: the validation pairs plus 10 random pairs per validation
    # edge, none of them a training or validation edge, no test pair involved.
    task = benchmark_task(shared_data, load_beeline(shared_data, *BENCHMARK), *BENCHMARK, 1)
    X, y = selection_pairs(task)
    n_val, n_val_edges = len(task.y_val), int(task.y_val.sum())
    assert len(y) == n_val + 10 * n_val_edges and y[n_val:].sum() == 0
    known = set(map(tuple, pd.concat([task.X_train[task.y_train == 1], task.X_val[task.y_val == 1]]).values))
    assert not set(map(tuple, X.iloc[n_val:].values)) & known
