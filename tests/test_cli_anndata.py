"""grnfast infer on an .h5ad laid out as scanpy users keep it: raw counts in a
layer, scaled values in X, cell types in .obs, Ensembl IDs as var_names and
symbols in a .var column."""
import re

import numpy as np
import pandas as pd
import pytest

from grnfast.cli import main

anndata = pytest.importorskip("anndata")

from test_single_cell import N_GENES, atlas_like  # noqa: E402

FAST = ["--quiet", "--epochs", "2", "--embedding-dim", "8", "--n-jobs", "1"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli_h5ad")
    atlas_like().write_h5ad(folder / "atlas.h5ad")
    rng = np.random.default_rng(3)
    regulators = [f"TF{i}" for i in rng.integers(0, 5, 60)]
    targets = [f"GENE{i}" for i in rng.integers(0, N_GENES - 5, 60)]
    prior = pd.DataFrame({"source": regulators, "target": targets}).drop_duplicates()
    prior.to_csv(folder / "prior.csv", index=False)
    prior.assign(source=prior.source.str.capitalize(), target=prior.target.str.capitalize()).to_csv(
        folder / "mouse_prior.csv", index=False)
    return folder


H5AD = ["--layer", "counts", "--groupby", "cell_type", "--gene-symbols", "symbol"]


def test_infer_on_a_scanpy_style_h5ad(files, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["infer", "--expression", str(files / "atlas.h5ad"), "--edges", str(files / "prior.csv"),
                 *H5AD, "--model", "cross-encoder", "--top-k", "5", "--output", str(out), *FAST])
    assert code == 0, capsys.readouterr().err
    network = pd.read_csv(out / "network_cross-encoder.csv")
    assert network["Gene1"].str.startswith("TF").all() and len(network) == 5 * network["Gene1"].nunique()
    assert network["Gene2"].isin([f"GENE{i}" for i in range(N_GENES)] + [f"TF{i}" for i in range(5)]).all()


@pytest.mark.parametrize("fmt, columns", [("grnfast", ["Gene1", "Gene2", "EdgeWeight", "sign", "sign_source"]),
                                         ("scenic", ["TF", "target", "importance", "regulation", "sign_source"]),
                                         ("decoupler", ["source", "target", "weight", "sign_source"])])
def test_formats_and_the_written_h5ad(files, tmp_path, capsys, fmt, columns):
    """Each format's file has its columns with probabilities (decoupler's signed:
    sign x probability); --write-h5ad's copy of the input reads back with the same
    edges and the model's embeddings."""
    out, written = tmp_path / "out", tmp_path / "with_grn.h5ad"
    code = main(["infer", "--expression", str(files / "atlas.h5ad"), "--edges", str(files / "prior.csv"),
                 *H5AD, "--model", "both", "--format", fmt, "--suffix", ".tsv", "--write-h5ad", str(written),
                 "--output", str(out), *FAST])
    assert code == 0, capsys.readouterr().err
    back = anndata.read_h5ad(written)
    for model in ("two-tower", "cross-encoder"):
        network = pd.read_csv(out / f"network_{model}.tsv", sep="\t")
        assert list(network.columns) == columns
        probability = network[columns[2]].abs()
        assert probability.between(0, 1).all() and probability.is_monotonic_decreasing
        assert (network.groupby(columns[0]).size() <= 100).all()  # the default top 100 per regulator
        entry = back.uns["grnfast"][model]
        pd.testing.assert_frame_equal(entry["edges"].reset_index(drop=True), network, check_dtype=False)
        assert entry["model"].endswith("Classifier")
        assert back.varm[f"grnfast_{model}_embedding"].shape == (back.n_vars, 8)
    assert back.n_obs == anndata.read_h5ad(files / "atlas.h5ad").n_obs


def test_write_h5ad_needs_an_h5ad_input(tmp_path, capsys):
    csv = tmp_path / "expr.csv"
    csv.write_text("gene,c1,c2\nA,1,2\nB,2,1\n")
    code = main(["infer", "--expression", str(csv), "--edges", str(csv), "--write-h5ad", str(tmp_path / "o.h5ad"),
                 "--output", str(tmp_path), "--quiet"])
    assert code == 2 and "--expression must be an .h5ad file" in capsys.readouterr().err


@pytest.mark.parametrize("extra, message", [
    ([], r"atlas.h5ad \(X\): has negative values .* use --use-raw \(.raw\) or --layer a layer of counts"),
    (["--layer", "spliced"], r"no layer 'spliced'; layers: \['counts'\]"),
    (["--layer", "counts", "--groupby", "louvain"], r"no .obs column 'louvain'"),
    (["--layer", "counts", "--groupby", "cell_type"],  # Ensembl IDs as var_names, symbols in .var
     r"no prior edge has both genes .*; the .var column 'symbol' names 35 of the prior's genes \(var_names: 0\): "
     "pass it as --gene-symbols"),
])
def test_h5ad_mistakes_are_one_line(files, tmp_path, capsys, extra, message):
    code = main(["infer", "--expression", str(files / "atlas.h5ad"), "--edges", str(files / "prior.csv"), *extra,
                 "--output", str(tmp_path), *FAST])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and re.search(message, err), err


def test_species_mismatch_and_case_fold(files, tmp_path, capsys):
    argv = ["infer", "--expression", str(files / "atlas.h5ad"), "--edges", str(files / "mouse_prior.csv"), *H5AD,
            "--model", "two-tower", "--output", str(tmp_path), *FAST]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "differ in case" in err and "capitalised" in err and "--case-fold" in err
    assert main(argv + ["--case-fold"]) == 0


def test_h5ad_options_need_an_h5ad(tmp_path, capsys):
    csv = tmp_path / "expr.csv"
    csv.write_text("gene,c1,c2\nA,1,2\nB,2,1\n")
    assert main(["infer", "--expression", str(csv), "--edges", str(csv), "--groupby", "ct", "--use-raw"]) == 2
    assert "--use-raw, --groupby apply to an .h5ad or .loom file; " in capsys.readouterr().err


def test_prior_by_name_from_the_cache(files, tmp_path, capsys, monkeypatch):
    """--prior NAME reads the cached copy (no network here: download=True is never reached)."""
    home = tmp_path / "home"
    (home / "priors").mkdir(parents=True)
    prior = pd.read_csv(files / "prior.csv")
    prior.assign(mode="Activation", pmid="1").to_csv(home / "priors" / "trrust_rawdata.mouse.tsv", sep="\t",
                                                     header=False, index=False)
    monkeypatch.setenv("GRNFAST_DATA", str(home))
    code = main(["infer", "--expression", str(files / "atlas.h5ad"), "--prior", "trrust", "--organism", "mouse",
                 *H5AD, "--model", "two-tower", "--output", str(tmp_path / "out"), *FAST])
    assert code == 0, capsys.readouterr().err
    assert (home / "priors" / "trrust_rawdata.mouse.tsv.sha256").exists()
    assert main(["infer", "--expression", str(files / "atlas.h5ad"), "--prior", "trrust", "--organism", "rat",
                 *H5AD]) == 2
    assert "no prior 'trrust' for organism 'rat'" in capsys.readouterr().err


def test_cell_types_file_is_matched_by_cell_id(tmp_path, capsys):
    rng = np.random.default_rng(0)
    cells = [f"cell{i}" for i in range(30)]
    genes = [f"TF{i}" for i in range(4)] + [f"G{i}" for i in range(16)]
    pd.DataFrame(rng.random((20, 30)), index=genes, columns=cells).to_csv(tmp_path / "expr.csv")
    pd.DataFrame({"source": [f"TF{i % 4}" for i in range(24)], "target": [f"G{i % 16}" for i in range(24)]}).to_csv(
        tmp_path / "edges.csv", index=False)
    labels = pd.DataFrame({"cell": [f"other{i}" for i in range(30)], "type": ["A", "B"] * 15})
    labels.to_csv(tmp_path / "cells.csv", index=False)
    argv = ["infer", "--expression", str(tmp_path / "expr.csv"), "--edges", str(tmp_path / "edges.csv"),
            "--cell-types", str(tmp_path / "cells.csv"), "--output", str(tmp_path / "out"), *FAST]
    assert main(argv) == 2
    assert "30 of 30 cells have no label (e.g. 'cell0'" in capsys.readouterr().err
    labels.assign(cell=cells[::-1]).to_csv(tmp_path / "cells.csv", index=False)  # same ids, another order
    assert main(argv) == 0, capsys.readouterr().err


def test_loading_and_aggregation_report_their_progress(files, tmp_path, capsys):
    """Off a terminal each pass over the matrix is one plain line when it ends."""
    code = main(["infer", "--expression", str(files / "atlas.h5ad"), "--edges", str(files / "prior.csv"), *H5AD,
                 "--model", "two-tower", "--output", str(tmp_path), "--epochs", "2", "--embedding-dim", "8",
                 "--n-jobs", "1"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "\r" not in err
    assert re.search(r"^loading .*: \d+ (cells|genes) \([\d.]+s\)$", err, re.M), err
    assert re.search(r"^aggregating .*: \d+ (cells|genes) \([\d.]+s\)$", err, re.M), err
