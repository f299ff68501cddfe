"""Networks others use (issue 27): a sign per edge (the prior's, else the
correlation's, saying which), a weight calibrated on validation pairs that means
the same for every model, a cut-off on it, read back from CSV and h5ad."""
import numpy as np
import pandas as pd
import pytest

from grnfast import GRNInputError
from grnfast.cli import main
from grnfast.data import GRNDataset, read_prior
from grnfast.data.signs import SIGN_SOURCES, pair_correlations, signed_edges
from grnfast.pipeline import infer
from grnfast.pipeline.calibration import fit_calibration, reliability
from grnfast.scoring import as_format

SMALL = {"max_iter": 5, "embedding_dim": 8, "hidden_layer_sizes": (16,), "n_jobs": 1}
TINY = ["--model", "two-tower", "--epochs", "2", "--embedding-dim", "4", "--n-jobs", "1", "--quiet"]


@pytest.fixture(scope="module")
def signed_dataset():
    """A small synthetic data set whose prior edges carry signs: +1, -1 and unknown in turn."""
    ds = GRNDataset.synthetic(n_genes=600, n_regulators=60, n_cells=400, random_state=0)
    ds.edges["sign"] = np.resize([1.0, -1.0, np.nan], len(ds.edges))
    return ds


@pytest.fixture(scope="module")
def run(signed_dataset):
    return infer(signed_dataset, output=None, progress=False, params=SMALL, top_k=10, format="grnfast")


# ---- the prior's sign, read ----------------------------------------------------

def test_trrust_modes_become_one_sign_per_pair(tmp_path):
    path = tmp_path / "trrust.tsv"
    path.write_text("A\tX\tActivation\t1\nA\tY\tRepression\t2\nA\tZ\tUnknown\t3\n"
                    "B\tX\tActivation\t4\nB\tX\tRepression\t5\nB\tY\tActivation\t6\nB\tY\tUnknown\t7\n")
    table = read_prior(path).drop_duplicates(["regulator", "target"]).set_index(["regulator", "target"])["sign"]
    assert table[("A", "X")] == 1 and table[("A", "Y")] == -1 and np.isnan(table[("A", "Z")])
    assert np.isnan(table[("B", "X")])  # listed as both: no sign
    assert table[("B", "Y")] == 1  # an unknown mode does not contradict a known one


def test_sign_columns_in_words_or_numbers_and_collectris_signed_weight(tmp_path):
    words = tmp_path / "words.csv"
    words.write_text("source,target,mor\nA,X,activation\nA,Y,-\nA,Z,something else\nB,X,-2\n")
    signs = read_prior(words)["sign"].tolist()
    assert signs[:2] == [1.0, -1.0] and np.isnan(signs[2]) and signs[3] == -1.0
    collectri = tmp_path / "CollecTRI_regulons.csv"  # its weight is the mode of regulation
    collectri.write_text("source,target,weight,resources\nA,X,1,x\nA,Y,-1,y\n")
    assert read_prior(collectri)["sign"].tolist() == [1.0, -1.0]
    unsigned = tmp_path / "confidence.csv"
    unsigned.write_text("source,target,weight\nA,X,0.5\nA,Y,0.9\n")
    assert "sign" not in read_prior(unsigned).columns


# ---- signs of written edges --------------------------------------------------

def test_known_edges_keep_the_priors_sign_and_others_take_the_correlations():
    profiles = pd.DataFrame([[1, 2, 3, 4], [2, 4, 6, 9], [4, 3, 2, 2], [1, 1, 1, 1]], dtype=float,
                            index=["TF", "UP", "DOWN", "FLAT"])
    prior = pd.DataFrame({"regulator": ["TF", "TF"], "target": ["UP", "DOWN"], "sign": [-1.0, np.nan]})
    edges = pd.DataFrame({"Gene1": ["TF", "TF", "TF", "UP"], "Gene2": ["UP", "DOWN", "FLAT", "DOWN"],
                          "EdgeWeight": [0.9, 0.8, 0.7, 0.6]})
    out = signed_edges(edges, prior, profiles)
    by_hand = [np.corrcoef(profiles.loc[a], profiles.loc[b])[0, 1] for a, b in [("TF", "UP"), ("TF", "DOWN"),
                                                                                ("UP", "DOWN")]]
    np.testing.assert_allclose(out["correlation"].to_numpy()[[0, 1, 3]], by_hand)
    assert out["sign"].tolist() == [-1, -1, 1, -1]  # prior's -1 although the correlation is positive
    assert out["sign_source"].tolist() == ["prior", "correlation", "none", "correlation"]
    assert set(out["sign_source"]) == set(SIGN_SOURCES)
    assert np.isnan(out["correlation"][2])  # a constant profile has no correlation


def test_correlations_of_genes_without_a_profile_are_refused():
    profiles = pd.DataFrame(np.eye(3), index=["A", "B", "C"])
    with pytest.raises(GRNInputError, match="no expression profile for 1 genes of the edges, e.g. 'D'"):
        pair_correlations(profiles, ["A"], ["D"])


def test_a_run_signs_its_networks_from_prior_then_correlation(signed_dataset, run):
    edges = run.networks["two-tower"]
    assert list(edges.columns) == ["Gene1", "Gene2", "EdgeWeight", "sign", "sign_source"]
    prior = signed_dataset.edges.set_index(["regulator", "target"])["sign"]
    known = prior.reindex(pd.MultiIndex.from_frame(edges[["Gene1", "Gene2"]])).to_numpy()
    from_prior = ~np.isnan(known)
    assert from_prior.any() and (~from_prior).any()
    assert (edges["sign_source"][from_prior] == "prior").all()
    np.testing.assert_array_equal(edges["sign"][from_prior], known[from_prior])
    rest = edges[~from_prior].head(20)  # over the cells: the data set keeps them
    expression = signed_dataset.expression
    by_hand = [np.sign(np.corrcoef(expression.loc[a], expression.loc[b])[0, 1]) for a, b in zip(rest.Gene1, rest.Gene2)]
    np.testing.assert_array_equal(rest["sign"], by_hand)
    assert (rest["sign_source"] == "correlation").all()


def test_unsigned_networks_have_no_sign_and_decouplers_weight_is_the_probability(signed_dataset):
    result = infer(signed_dataset, models="two-tower", output=None, progress=False, params=SMALL, top_k=5,
                   signed=False, format="decoupler")
    edges = result.networks["two-tower"]
    assert list(edges.columns) == ["source", "target", "weight"]
    assert (edges["weight"] >= 0).all()


def test_formats_carry_the_sign_in_the_columns_each_tool_reads(run):
    edges = run.networks["two-tower"]  # grnfast columns, signed
    decoupler = as_format(edges, "decoupler")
    assert list(decoupler.columns) == ["source", "target", "weight", "sign_source"]
    np.testing.assert_array_equal(decoupler["weight"], edges["sign"] * edges["EdgeWeight"])
    scenic = as_format(edges, "scenic")
    assert list(scenic.columns) == ["TF", "target", "importance", "regulation", "sign_source"]
    assert (scenic["importance"] >= 0).all() and set(scenic["regulation"]) <= {-1, 1}


# ---- calibrated weights --------------------------------------------------------

def test_calibrated_weights_of_the_three_models_are_reliable_on_held_out_pairs(run):
    """Calibrated on validation pairs, each model's weight matches the observed rate
    of known edges among test pairs (never seen by the calibration) bin by bin, and
    the three models' weights estimate the same quantity: the mean weight is the
    test prevalence for each."""
    task = run.task
    for name, model in run.models.items():
        calibration = run.calibrations[name]
        assert calibration.n_pairs == len(task.y_val) and calibration.prevalence == pytest.approx(task.y_val.mean())
        probability = calibration.probability(model.decision_function(task.X_test))
        table, error = reliability(probability, task.y_test, n_bins=5)
        assert error < 0.08, f"{name}: expected calibration error {error:.3f}\n{table}"
        assert abs(probability.mean() - task.y_test.mean()) < 0.05, name


def test_calibration_keeps_the_ranking_and_maps_logits_monotonically(run):
    model, calibration = run.models["cross-encoder"], run.calibrations["cross-encoder"]
    logits = np.linspace(-10, 10, 50)
    assert (np.diff(calibration.probability(logits)) >= 0).all()
    edges = run.networks["cross-encoder"]
    for _, block in edges.groupby("Gene1"):
        scores = model.decision_function(block[["Gene1", "Gene2"]])
        assert (np.diff(scores) <= 1e-6).all() and (np.diff(block["EdgeWeight"].to_numpy()) <= 0).all()


def test_a_model_worse_than_chance_on_validation_pairs_gets_the_prevalence_everywhere(run):
    """Calibrating on flipped labels: the fitted sigmoid falls with the score, which
    would make weights rise down the model's ranking; every pair gets the prevalence."""
    task = run.task
    model = run.models["two-tower"]
    flipped = fit_calibration(model, task.X_val, 1 - task.y_val)
    assert run.calibrations["two-tower"].increasing and not flipped.increasing
    np.testing.assert_array_equal(flipped.probability([-5.0, 0.0, 5.0]), [flipped.prevalence] * 3)


def test_a_calibration_shifted_to_another_prevalence(run):
    calibration = run.calibrations["two-tower"]  # fitted at prevalence 0.5 (one negative per positive)
    assert calibration.prevalence == pytest.approx(0.5, abs=0.05)
    shifted = calibration.at_prevalence(np.array([calibration.prevalence, 0.0, 1.0]), 0.01)
    np.testing.assert_allclose(shifted, [0.01, 0.0, 1.0])
    with pytest.raises(GRNInputError, match="prevalence must be between 0 and 1"):
        calibration.at_prevalence(0.5, 1.0)


def test_validation_pairs_of_one_class_cannot_calibrate(run):
    task = run.task
    with pytest.raises(GRNInputError, match="both known edges and negatives"):
        fit_calibration(run.models["two-tower"], task.X_val[:3], np.ones(3))


# ---- the cut-off ---------------------------------------------------------------

def test_min_probability_and_top_k_combine(signed_dataset, run):
    cut = infer(signed_dataset, output=None, progress=False, params=SMALL, top_k=10, min_probability=0.7)
    for name, edges in cut.networks.items():
        full = run.networks[name]
        assert (edges["EdgeWeight"] >= 0.7).all() and edges.groupby("Gene1").size().max() <= 10
        pd.testing.assert_frame_equal(edges, full[full["EdgeWeight"] >= 0.7].reset_index(drop=True))


@pytest.mark.parametrize("value", [-0.1, 1.5, float("nan"), "0.5", True])
def test_bad_min_probability_is_refused_before_any_work(value, tmp_path):
    with pytest.raises(GRNInputError, match=r"min_probability must be a number from 0 to 1 \(a calibrated edge "
                                            rf"probability\); got {value!r}"):
        infer(None, output=tmp_path / "out", min_probability=value, progress=False)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value", ["-0.1", "1.01", "x", "nan"])
def test_bad_min_probability_is_one_line_from_the_parser(value, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["infer", "--min-probability", value])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith(f"argument --min-probability: must be a number from 0 to 1; got '{value}'"), err


# ---- written, read back, identical ---------------------------------------------

def test_cli_networks_read_back_and_are_identical_run_to_run(signed_dataset, tmp_path):
    signed_dataset.expression.to_csv(tmp_path / "expression.csv")
    signed_dataset.edges.to_csv(tmp_path / "prior.csv", index=False)
    inputs = ["--expression", str(tmp_path / "expression.csv"), "--prior", str(tmp_path / "prior.csv")]
    for folder in ("a", "b"):
        assert main(["infer", *inputs, *TINY, "--top-k", "4", "--min-probability", "0.2", "--format", "decoupler",
                     "--output", str(tmp_path / folder)]) == 0
    first = (tmp_path / "a" / "network_two-tower.csv").read_bytes()
    assert first == (tmp_path / "b" / "network_two-tower.csv").read_bytes()
    edges = pd.read_csv(tmp_path / "a" / "network_two-tower.csv")
    assert list(edges.columns) == ["source", "target", "weight", "sign_source"]
    assert edges["weight"].abs().between(0.2, 1).all() and edges.groupby("source").size().max() <= 4
    assert set(edges["sign_source"]) == {"prior", "correlation"}


def test_h5ad_copy_holds_the_signed_network(tmp_path):
    anndata = pytest.importorskip("anndata")
    ds = GRNDataset.synthetic(n_genes=120, n_regulators=12, n_cells=200, random_state=1)
    adata = anndata.AnnData(np.log1p(ds.expression.T.clip(lower=0)).astype(np.float32),
                            obs=pd.DataFrame({"cell_type": pd.Categorical(ds.cell_types.to_numpy())},
                                             index=ds.expression.columns))
    adata.write_h5ad(tmp_path / "cells.h5ad")
    ds.edges.assign(mode=np.resize(["Activation", "Repression"], len(ds.edges))).rename(
        columns={"regulator": "source"}).to_csv(tmp_path / "prior.csv", index=False)
    assert main(["infer", *TINY, "--expression", str(tmp_path / "cells.h5ad"), "--prior", str(tmp_path / "prior.csv"),
                 "--groupby", "cell_type", "--min-cells", "1", "--top-k", "3", "--format", "decoupler",
                 "--write-h5ad", str(tmp_path / "out.h5ad"), "--output", str(tmp_path / "out")]) == 0
    edges = anndata.read_h5ad(tmp_path / "out.h5ad").uns["grnfast"]["two-tower"]["edges"]
    written = pd.read_csv(tmp_path / "out" / "network_two-tower.csv")
    pd.testing.assert_frame_equal(edges.reset_index(drop=True), written, check_dtype=False)
    assert set(written["sign_source"]) >= {"prior"}
