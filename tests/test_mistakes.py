"""The files and mistakes people actually bring (issue 26): each gets one line that
names the problem in the command line's own words, before any work is wasted."""
import numpy as np
import pandas as pd
import pytest

from grnfast import GRNInputError
from grnfast.cli import cli_message, main
from grnfast.data import GRNDataset
from grnfast.data.cell_types import SmallCellTypesWarning
from grnfast.scoring import write_edge_list

TINY = ["--model", "two-tower", "--epochs", "1", "--embedding-dim", "8", "--n-jobs", "1", "--quiet"]


def one_line_error(capsys):
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("value", ["-1", "4294967296", "x"])
def test_a_seed_outside_numpys_range_is_refused_by_the_parser(value, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["infer", "--seed", value])
    assert exit_info.value.code == 2
    assert f"argument --seed: must be an integer from 0 to 4294967295; got '{value}'" in one_line_error(capsys)


def test_output_that_is_a_file_is_named_as_such(tmp_path, capsys):
    existing = tmp_path / "results.csv"
    existing.write_text("a,b\n")
    assert main(["infer", "--output", str(existing), *TINY]) == 2
    assert one_line_error(capsys) == (f"grnfast: error: --output {existing}: is a file, not a folder; give a folder "
                                      "to write the results in")


def test_write_h5ad_to_a_folder_is_refused_before_anything_is_read(tmp_path, capsys):
    folder = tmp_path / "copy.h5ad"
    folder.mkdir()
    expression = tmp_path / "counts.h5ad"  # never read: the outputs are checked first
    expression.write_text("not read")
    code = main(["infer", "--expression", str(expression), "--edges", str(expression), "--write-h5ad", str(folder),
                 "--output", str(tmp_path / "out"), *TINY])
    assert code == 2
    assert one_line_error(capsys) == (f"grnfast: error: --write-h5ad {folder} is a folder; give the path of a new "
                                      ".h5ad file")


def test_ctrl_c_is_one_line_exit_130_and_leaves_no_network_file(tmp_path, capsys, monkeypatch):
    import grnfast.pipeline.networks as networks

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(networks, "rank_edges", interrupted)
    assert main(["infer", "--output", str(tmp_path), *TINY]) == 130
    assert one_line_error(capsys) == "grnfast: interrupted"
    assert not list(tmp_path.glob("network_*")) and not list(tmp_path.glob(".partial-*"))


def test_an_edge_list_stopped_while_written_leaves_no_file(tmp_path, monkeypatch):
    """Ctrl-C (or a full disk) in the middle of a chunked write: neither the final
    name nor the partial file is left behind."""
    edges = pd.DataFrame({"Gene1": ["a", "b", "c"], "Gene2": ["x", "y", "z"], "EdgeWeight": [0.9, 0.5, 0.1]})
    calls, to_csv = [], pd.DataFrame.to_csv

    def stop_on_second_chunk(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return to_csv(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", stop_on_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        write_edge_list(edges, tmp_path / "network.csv.gz", chunk_rows=1)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv)
    write_edge_list(edges, tmp_path / "network.csv.gz", chunk_rows=1)
    assert pd.read_csv(tmp_path / "network.csv.gz").equals(edges)
    assert [p.name for p in tmp_path.iterdir()] == ["network.csv.gz"]


@pytest.mark.parametrize("library, command_line", [
    ("use_raw=True but the AnnData has no .raw", "--use-raw but the AnnData has no .raw"),
    ("pass case_fold=True (CLI --case-fold) to match names", "pass --case-fold to match names"),
    ("use use_raw=True (.raw) or layer= a layer of counts (CLI: --use-raw or --layer)",
     "use --use-raw (.raw) or --layer a layer of counts"),
    ("features='cell_type_means' needs cell types (groupby= or cell_types=)",
     "--features cell_type_means needs cell types (--groupby or --cell-types)"),
    ("pass its folder as data_home", "pass its folder as --data"),
    ("no .var column 'symbol' for gene_symbols=", "no .var column 'symbol' for --gene-symbols"),
])
def test_the_command_line_speaks_in_its_options(library, command_line):
    assert cli_message(library) == command_line


# ---- cell types ---------------------------------------------------------------

def small_expression(n_cells=30, seed=0):
    rng = np.random.default_rng(seed)
    cells = [f"cell{i}" for i in range(n_cells)]
    genes = [f"TF{i}" for i in range(4)] + [f"G{i}" for i in range(16)]
    expression = pd.DataFrame(rng.random((20, n_cells)), index=genes, columns=cells)
    edges = pd.DataFrame({"regulator": [f"TF{i % 4}" for i in range(24)], "target": [f"G{i % 16}" for i in range(24)]})
    return expression, edges


def test_duplicated_cell_ids_are_named_not_blamed_on_the_labels():
    """An AnnData whose obs_names repeat, with cell types matched by id (--cell-types)."""
    pytest.importorskip("anndata")
    from test_single_cell import PRIOR, atlas_like

    adata = atlas_like()
    adata.obs_names = [f"cell{i % 200}" for i in range(adata.n_obs)]
    labels = pd.Series(["A", "B"] * 100, index=[f"cell{i}" for i in range(200)])
    with pytest.raises(GRNInputError, match=r"cell types are matched to cells by id, but 40 cell ids are duplicated "
                                            r"\(e.g. 'cell0', 'cell1'.*adata.obs_names_make_unique\(\)"):
        GRNDataset.from_anndata(adata, PRIOR, layer="counts", gene_symbols="symbol", cell_types=labels)


def test_a_cells_x_genes_table_is_said_to_look_transposed(tmp_path, capsys):
    expression, edges = small_expression()
    expression.T.to_csv(tmp_path / "expr.csv")  # scanpy's orientation: a cell per row
    edges.to_csv(tmp_path / "edges.csv", index=False)
    pd.DataFrame({"cell": expression.columns, "type": ["A", "B"] * 15}).to_csv(tmp_path / "cells.csv", index=False)
    assert main(["infer", "--expression", str(tmp_path / "expr.csv"), "--edges", str(tmp_path / "edges.csv"),
                 "--cell-types", str(tmp_path / "cells.csv"), "--output", str(tmp_path / "out"), *TINY]) == 2
    err = one_line_error(capsys)
    assert "the expression looks transposed: the cell ids of the cell types are its row names (e.g. 'cell0'" in err
    assert "grnfast reads genes x cells" in err and "transpose the table" in err


def test_cell_types_with_too_few_cells_are_left_out_with_a_warning():
    expression, edges = small_expression(n_cells=30)
    labels = pd.Series(["A"] * 13 + ["B"] * 13 + ["C", "C", "D", "E"], index=expression.columns)
    with pytest.warns(SmallCellTypesWarning, match=r"3 of 5 cell types have fewer than 10 cells and are left out of "
                                                   r"the features \(4 cells; e.g. 'C', 'D', 'E'\)"):
        ds = GRNDataset.from_expression(expression, edges, cell_types=labels, min_cells=10)
    assert list(ds.node_features.columns) == ["A", "B"]
    expected = expression[labels.index[labels == "A"]].mean(axis=1).astype(np.float32)
    assert np.allclose(ds.node_features["A"].to_numpy(), expected.to_numpy(), rtol=1e-6)


def test_labels_that_are_no_cell_types_are_refused():
    expression, edges = small_expression(n_cells=30)
    per_cell = pd.Series([f"id{i}" for i in range(30)], index=expression.columns)
    with pytest.raises(GRNInputError, match=r"cell types: 30 groups, 0 with at least 10 cells \(the largest has 1\): "
                                            "these labels are not cell types"):
        GRNDataset.from_expression(expression, edges, cell_types=per_cell, min_cells=10)


@pytest.fixture()
def atlas_file(tmp_path):
    anndata = pytest.importorskip("anndata")
    from test_single_cell import PRIOR, atlas_like

    adata = atlas_like()
    adata.obs["qc_score"] = np.random.default_rng(0).random(adata.n_obs)
    adata.obs["tiny_groups"] = pd.Categorical(["big"] * 200 + ["other"] * 30 + [f"g{i}" for i in range(10)])
    adata.write_h5ad(tmp_path / "atlas.h5ad")
    PRIOR.to_csv(tmp_path / "prior.csv", index=False)
    assert anndata
    return tmp_path


def test_groupby_on_a_numeric_column_is_refused_like_scanpy(atlas_file, capsys):
    code = main(["infer", "--expression", str(atlas_file / "atlas.h5ad"), "--edges", str(atlas_file / "prior.csv"),
                 "--layer", "counts", "--gene-symbols", "symbol", "--groupby", "qc_score",
                 "--output", str(atlas_file / "out"), *TINY])
    assert code == 2
    assert one_line_error(capsys).endswith(": .obs column 'qc_score' holds numbers (float64, 240 distinct values), not "
                                           "cell types; like scanpy's groupby, give a categorical column of labels")


def test_small_groups_are_dropped_with_one_warning_line_on_the_command_line(atlas_file):
    """Run as a user runs it (a process of its own, no test harness catching warnings)."""
    import subprocess
    import sys

    argv = [sys.executable, "-m", "grnfast", "infer", "--expression", str(atlas_file / "atlas.h5ad"),
            "--edges", str(atlas_file / "prior.csv"), "--layer", "counts", "--gene-symbols", "symbol",
            "--groupby", "tiny_groups", "--output", str(atlas_file / "out"), *TINY]
    # cwd elsewhere than the checkout: the installed grnfast runs, not the source tree
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, cwd=atlas_file)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "grnfast: warning: 10 of 12 cell types have fewer than 10 cells and are left out of the features "
        "(10 cells; e.g. 'g0', 'g1', 'g2', 'g3', 'g4', ...)"]


# ---- thin evidence ------------------------------------------------------------

class Scores:
    """A fitted scorer whose probability of pair i is values[X[i, 0]]."""

    def __init__(self, values):
        self.values = np.asarray(values, dtype=float)

    def predict_proba(self, X):
        p = self.values[np.asarray(X)[:, 0]]
        return np.column_stack([1 - p, p])


def test_a_lead_within_its_uncertainty_recommends_nothing():
    import argparse

    from grnfast.pipeline import recommendation

    rng = np.random.default_rng(0)
    y = np.array([1, 0] * 10)
    degree = rng.random(20)
    slightly = degree + np.where(y == 1, 0.05, 0.0)  # a little better than degree, on 20 pairs
    task = argparse.Namespace(X_val=np.arange(20)[:, None].repeat(2, axis=1), y_val=y)
    name, sentence = recommendation(task, {"model": Scores(slightly / 2)}, degree=Scores(degree / 2))
    assert name is None
    assert sentence.startswith("none: no model ranks the validation pairs better than the degree baseline by more "
                               "than the uncertainty")
    assert "95% interval [" in sentence and "by a paired bootstrap of the validation pairs" in sentence
    clear = np.where(y == 1, 0.9, 0.1)
    name, sentence = recommendation(task, {"model": Scores(clear)}, degree=Scores(degree / 2))
    assert name == "model" and sentence.startswith("model: the best AUPRC on validation pairs (1.000;")


def test_a_prior_that_matches_almost_nothing_is_said_to_be_thin_evidence(tmp_path):
    from grnfast.pipeline import infer

    expression, edges = small_expression(n_cells=30)
    ds = GRNDataset.from_expression(expression, edges, features="expression")
    result = infer(ds, models="two-tower", output=None, progress=False,
                   params={"max_iter": 1, "embedding_dim": 4, "hidden_layer_sizes": (4,), "n_jobs": 1})
    assert result.warnings == [
        "thin evidence: 11 training and 3 validation edges (fewer than 100 / 30): the metrics and the recommendation "
        "are mostly noise; a prior that matches more of the expression's genes would help"]
    assert "\nwarning: thin evidence: 11 training and 3 validation edges" in result.report()


# ---- an .h5ad in anndata's older layout ------------------------------------------

def old_layout_h5ad(path, counts, cells, genes, cell_types):
    """An .h5ad in anndata's on-disk layout before 0.7 (as scanpy's bundled data
    sets): obs and var as compound datasets, categories in uns, .raw as 'raw.X'
    and 'raw.var', X log values."""
    import h5py
    import scipy.sparse

    categories = np.array(sorted(set(cell_types)), dtype="S")
    codes = np.searchsorted(categories, np.array(cell_types, dtype="S")).astype("i1")
    with h5py.File(path, "w") as f:
        f["X"] = np.log1p(counts).astype(np.float32)
        obs = np.zeros(len(cells), dtype=[("index", "S16"), ("cell_type", "i1")])
        obs["index"], obs["cell_type"] = np.array(cells, dtype="S16"), codes
        f["obs"] = obs
        var = np.zeros(len(genes), dtype=[("index", "S16")])
        var["index"] = np.array(genes, dtype="S16")
        f["var"] = var
        f["raw.var"] = var
        raw = scipy.sparse.csr_matrix(counts.astype(np.float32))
        group = f.create_group("raw.X")
        group.attrs["h5sparse_format"], group.attrs["h5sparse_shape"] = "csr", np.array(counts.shape)
        group["data"], group["indices"], group["indptr"] = raw.data, raw.indices, raw.indptr
        f.create_group("uns")["cell_type_categories"] = categories


@pytest.mark.parametrize("options", [{}, {"use_raw": True}])
def test_an_h5ad_in_anndatas_older_layout_is_read_as_anndata_reads_it(tmp_path, options):
    anndata = pytest.importorskip("anndata")
    rng = np.random.default_rng(0)
    counts = rng.poisson(2.0, (60, 20)).astype(float)
    genes = [f"TF{i}" for i in range(4)] + [f"G{i}" for i in range(16)]
    cell_types = ["A", "B", "C"] * 20
    old_layout_h5ad(tmp_path / "old.h5ad", counts, [f"c{i}" for i in range(60)], genes, cell_types)
    edges = pd.DataFrame({"regulator": [f"TF{i % 4}" for i in range(24)], "target": [f"G{i % 16}" for i in range(24)]})
    ds = GRNDataset.from_anndata(tmp_path / "old.h5ad", edges, groupby="cell_type", **options)
    assert list(ds.node_features.columns) == ["A", "B", "C"] and list(ds.genes) == genes
    # the same means as from anndata's own reading of the file, in memory
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        adata = anndata.read_h5ad(tmp_path / "old.h5ad")
    reference = GRNDataset.from_anndata(adata, edges, groupby="cell_type", **options)
    assert np.array_equal(ds.node_features.to_numpy(), reference.node_features.to_numpy())
    assert ds.notes["expression"]["values"] == ("counts" if options else "log")


# ---- model sizes and random negatives --------------------------------------------

def tiny_problem(n_genes=60, n_pairs=200):
    features = pd.DataFrame(np.random.default_rng(0).random((n_genes, 3)), index=[f"g{i}" for i in range(n_genes)])
    return features, np.random.default_rng(1).integers(0, n_genes, (n_pairs, 2)), np.tile([0, 1], n_pairs // 2)


def test_a_model_too_large_to_train_is_refused_before_allocating():
    from grnfast import LateInteractionClassifier

    features, X, y = tiny_problem(50, 40)
    model = LateInteractionClassifier(node_features=features, n_vectors=256, hidden_layer_sizes=(4096, 4096),
                                      max_iter=1, random_state=0)
    with pytest.raises(GRNInputError, match=r"this LateInteractionClassifier would have 8,593,141,440 parameters: "
                                            r"128\.0 GiB to train \(weights, gradients and Adam's two moments; the "
                                            r"limit is 8 GiB\), most of them in regulator_tower\.1\.weight "
                                            r"\(4096, 1048576\); lower hidden_layer_sizes, n_vectors or embedding_dim"):
        model.fit(X, y)


def test_more_random_negatives_than_free_pairs_is_said_once_with_both_numbers():
    from grnfast import TwoTowerClassifier
    from grnfast.models._random_negatives import RandomNegativesWarning

    features, X, y = tiny_problem()
    model = TwoTowerClassifier(node_features=features, random_negative_ratio=1000, max_iter=2, random_state=0,
                               embedding_dim=4, hidden_layer_sizes=(4,), n_jobs=1)
    with pytest.warns(RandomNegativesWarning) as caught:
        model.fit(X, y)
    assert [str(w.message) for w in caught] == [
        "random_negative_ratio=1000 asks for 90,000 random negatives per epoch, but only 2,389 regulator x gene "
        "pairs are not known edges: each epoch draws all of them (lower random_negative_ratio, or give more "
        "negative_regulators)"]


def test_cell_types_that_would_go_unused_are_refused(tmp_path, capsys):
    expression, edges = small_expression()
    expression.to_csv(tmp_path / "expr.csv")
    edges.rename(columns={"regulator": "Gene1", "target": "Gene2"}).to_csv(tmp_path / "edges.csv", index=False)
    pd.DataFrame({"cell": expression.columns, "type": ["A", "B"] * 15}).to_csv(tmp_path / "cells.csv", index=False)
    assert main(["infer", "--expression", str(tmp_path / "expr.csv"), "--edges", str(tmp_path / "edges.csv"),
                 "--cell-types", str(tmp_path / "cells.csv"), "--features", "pca",
                 "--output", str(tmp_path / "out"), *TINY]) == 2
    assert one_line_error(capsys) == ("grnfast: error: --cell-types gives cell-type means as node features; with "
                                      "--features pca the cell types would go unused: drop one of them")
