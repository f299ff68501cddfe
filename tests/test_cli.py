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
    assert list(edges.columns) == ["Gene1", "Gene2", "EdgeWeight", "sign", "sign_source"]
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

    with pytest.raises(GRNInputError, match="need expression="):  # --debug: the library's own words
        main(["infer", "--prior", "prior.tsv", "--debug", "--output", str(tmp_path)])

    def broken(self, **options):
        raise KeyError("an internal bug")

    monkeypatch.setattr(InputFiles, "load", broken)
    with pytest.raises(KeyError, match="an internal bug"):
        main(["infer", "--output", str(tmp_path), *FAST])


@pytest.mark.parametrize("command", ["infer", "evaluate"])
def test_feature_interaction_option_sets_both_parameters(command):
    """--feature-interaction turns on the feature path and zero-initialised
    embeddings together (what was measured together, docs/guide.md); without it
    neither is set, so the estimators' defaults hold."""
    from grnfast.cli import build_parser, model_params

    parser = build_parser((command,))
    on = model_params(parser.parse_args([command, "--feature-interaction"]))
    assert on["feature_interaction"] is True and on["embedding_init"] == "zeros"
    off = model_params(parser.parse_args([command]))
    assert "feature_interaction" not in off and "embedding_init" not in off


@pytest.mark.parametrize("command", ["infer", "evaluate"])
def test_embedding_dropout_option_sets_the_parameter_and_refuses_a_share_of_one(command, capsys):
    from grnfast.cli import build_parser, model_params

    parser = build_parser((command,))
    assert model_params(parser.parse_args([command, "--embedding-dropout", "0.1"]))["embedding_dropout"] == 0.1
    assert "embedding_dropout" not in model_params(parser.parse_args([command]))
    for bad in ("1", "-0.1", "nan", "x"):
        with pytest.raises(SystemExit) as stop:
            parser.parse_args([command, "--embedding-dropout", bad])
        assert stop.value.code == 2
        assert "--embedding-dropout: must be a number from 0 up to, not including, 1" in capsys.readouterr().err
