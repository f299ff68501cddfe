"""infer's check of the TFs without known edges: the recommended model retrained
without a fifth of the prior's TFs, and those TFs' targets ranked beside in-degree."""
import numpy as np
import pytest
from scipy.special import expit

import grnfast.genes
import grnfast.pipeline.inference as inference
import grnfast.pipeline.unknown_regulators as unknown_regulators
from grnfast.data import GRNDataset
from grnfast.models.presets import TINY_PARAMS
from grnfast.pipeline import infer
from grnfast.pipeline.cold_blend import ColdBlend, prior_targets
from grnfast.pipeline.networks import network_edges
from grnfast.pipeline.training import best_epoch
from grnfast.pipeline.unknown_regulators import MIN_REGULATORS_WITH_EDGES, UnknownRegulatorCheck, \
    check_unknown_regulators

PARAMS = {**TINY_PARAMS, "n_jobs": 1}


def without_edges_for(ds, regulators):
    """``ds`` whose prior has no edge for ``regulators`` (still candidates)."""
    return GRNDataset(ds.name, ds.node_features, ds.edges[~ds.edges["regulator"].isin(regulators)], ds.regulators,
                      ds.expression, ds.cell_types)


@pytest.fixture(scope="module")
def synthetic():
    ds = GRNDataset.synthetic(n_genes=300, n_regulators=40, n_cells=300, random_state=3)
    lacking = list(ds.known_regulators[:10])
    return ds, without_edges_for(ds, lacking), lacking


def test_the_check_holds_out_a_fifth_of_the_tfs_with_edges_and_is_reproducible(synthetic, monkeypatch):
    _, ds, lacking = synthetic
    check = check_unknown_regulators(ds, "two-tower", PARAMS, random_state=1, progress=False)
    n_known = len(ds.known_regulators)
    assert check.model == "two-tower" and check.n_without_edges == len(lacking)
    assert 1 <= check.n_held_out <= round(0.2 * n_known) + 1 and 0 < check.prevalence < 1
    for metrics in (check.model_metrics, check.in_degree_metrics, check.blend_metrics):
        assert set(metrics) == {"auroc", "auprc", "auroc_per_regulator"}
        assert all(0 <= value <= 1 for value in metrics.values())
    assert check.blend.n_pairs > 0 and 0 < check.blend.prevalence < 1
    assert check_unknown_regulators(ds, "two-tower", PARAMS, random_state=1, progress=False) == check
    monkeypatch.setattr(grnfast.genes, "usable_cores", lambda: 4)
    assert check_unknown_regulators(ds, "two-tower", {**PARAMS, "n_jobs": 2}, random_state=1,
                                    progress=False) == check
    other = check_unknown_regulators(ds, "two-tower", PARAMS, random_state=2, progress=False)
    assert other.model_metrics != check.model_metrics


def test_the_check_holds_out_at_most_its_pair_budget_of_tfs(synthetic, monkeypatch):
    """On a genome a fifth of the TFs x every gene would be millions of pairs: each
    part holds out at most MAX_HELD_OUT_PAIRS // genes TFs."""
    _, ds, _ = synthetic
    monkeypatch.setattr(unknown_regulators, "MAX_HELD_OUT_PAIRS", 3 * len(ds.genes) + 7)
    check = check_unknown_regulators(ds, "two-tower", PARAMS, epochs=2, random_state=1, progress=False)
    assert check.n_held_out == 3 and check.prevalence > 0
    assert check.blend.n_pairs == 3 * (len(ds.genes) - 1)  # the validation TFs x every other gene


def test_no_check_when_every_regulator_has_an_edge_or_too_few_have(synthetic):
    full, ds, _ = synthetic
    assert check_unknown_regulators(full, "two-tower", PARAMS, progress=False) is None
    keep = list(ds.known_regulators[:MIN_REGULATORS_WITH_EDGES - 1])
    few = without_edges_for(ds, [r for r in ds.regulators if r not in keep])
    assert len(few.known_regulators) == MIN_REGULATORS_WITH_EDGES - 1
    assert check_unknown_regulators(few, "two-tower", PARAMS, progress=False) is None


def check_with(blend_auroc, blend_auprc):
    return UnknownRegulatorCheck("cross-encoder", 12, 5, 0.3, {"auroc": 0.6, "auprc": 0.4, "auroc_per_regulator": 0.7},
                                 {"auroc": 0.7, "auprc": 0.5, "auroc_per_regulator": 0.75},
                                 {"auroc": blend_auroc, "auprc": blend_auprc, "auroc_per_regulator": 0.8},
                                 ColdBlend(-1.0, 0.5, 0.25, 2.0, 400, 0.3))


def test_the_sentence_warns_unless_the_blend_beats_in_degree_on_both_metrics():
    wins, loses, half = check_with(0.8, 0.6), check_with(0.6, 0.4), check_with(0.8, 0.4)
    assert wins.blend_wins and not loses.blend_wins and not half.blend_wins
    assert wins.sentence().startswith("the 12 candidate regulators without a known edge are scored by cross-encoder "
                                      "and the targets of the TFs with edges they are co-expressed with, weighed "
                                      "on other held-out TFs (0.50 x the log-odds + 0.25 x the log target share): "
                                      "on 5 TFs")
    assert "AUROC / AUPRC 0.800 / 0.600, cross-encoder alone at 0.600 / 0.400" in wins.sentence()
    assert "in-degree over the rest of the prior at 0.700 / 0.500" in wins.sentence()
    assert "but their targets may be no better than the hub genes of the prior: on 5 TFs" in loses.sentence()


@pytest.mark.parametrize("policy", ["unknown", "negative"])
def test_infer_checks_the_recommended_model_only_when_tfs_without_edges_are_unknown(synthetic, monkeypatch, policy):
    _, ds, lacking = synthetic
    # the check follows whichever model is recommended; make it the one trained
    monkeypatch.setattr(inference, "recommendation", lambda *args: ("two-tower", "two-tower: chosen"))
    result = infer(ds, models="two-tower", params=PARAMS, output=None, progress=False,
                   regulators_without_edges=policy)
    check = result.unknown_regulators
    if policy == "negative":  # the user says such a TF has no targets: nothing to check
        assert check is None and "checking TFs" not in result.closing_line
        return
    # trained for the epochs the run's model kept
    assert check == check_unknown_regulators(ds, "two-tower", PARAMS, epochs=best_epoch(result.models["two-tower"]),
                                             random_state=0, progress=False)
    assert "checking TFs without edges" in result.closing_line
    report = result.report()
    line = ("note: " if check.blend_wins else "warning: ") + check.sentence()
    assert line in report.splitlines()
    assert (check.sentence() in result.warnings) != check.blend_wins


def test_no_check_without_a_recommended_model(synthetic, monkeypatch):
    _, ds, _ = synthetic
    monkeypatch.setattr(inference, "recommendation", lambda *args: (None, "none: ..."))
    result = infer(ds, models="two-tower", params=PARAMS, output=None, progress=False)
    assert result.unknown_regulators is None and not any("hub genes" in w for w in result.warnings)


def test_a_check_that_cannot_run_is_a_warning_and_the_run_goes_on(synthetic, monkeypatch):
    from grnfast import GRNInputError

    _, ds, _ = synthetic
    monkeypatch.setattr(inference, "recommendation", lambda *args: ("two-tower", "two-tower: chosen"))

    def fails(*args, **kwargs):
        raise GRNInputError("cold-regulators split: too few genes left to hold out for the validation part")

    monkeypatch.setattr(inference, "check_unknown_regulators", fails)
    result = infer(ds, models="two-tower", params=PARAMS, output=None, progress=False)
    assert result.unknown_regulators is None and "two-tower" in result.networks
    assert result.warnings[-1] == ("the check of the regulators without known edges could not run: cold-regulators "
                                   "split: too few genes left to hold out for the validation part")


def test_the_recommended_network_scores_tfs_without_edges_by_the_checks_blend(synthetic, monkeypatch):
    """The recommended model's rows for TFs without edges are the blend's probability
    (its top targets by the blend); its other rows and the other model's network are
    what they would be without a check (the genes without regulators' check, which
    changes other rows, is off here: tests/test_unknown_targets.py)."""
    _, ds, lacking = synthetic
    monkeypatch.setattr(inference, "recommendation", lambda *args: ("two-tower", "two-tower: chosen"))
    monkeypatch.setattr(inference, "check_unknown_targets", lambda *args, **kwargs: None)
    result = infer(ds, models="both", params=PARAMS, output=None, progress=False, top_k=6, signed=False)
    check = result.unknown_regulators
    targets = prior_targets(ds, check.blend.beta)
    network = result.networks["two-tower"]
    cold = network[network.Gene1.isin(lacking)]
    assert set(cold.Gene1) == set(lacking) and (cold.groupby("Gene1").size() == 6).all()
    model = result.models["two-tower"]
    pairs = cold[["Gene1", "Gene2"]]
    expected = expit(check.blend.logits(model.decision_function(pairs), targets.pair_log_share(pairs)))
    assert np.allclose(cold.EdgeWeight, expected, rtol=1e-5)
    every = network_edges(model, result.calibrations["two-tower"], ds, top_k=6, signed=False)
    known = network[~network.Gene1.isin(lacking)].reset_index(drop=True)
    assert known.equals(every[~every.Gene1.isin(lacking)].reset_index(drop=True))
    assert np.all(np.diff(network.EdgeWeight) <= 0)
    other = network_edges(result.models["cross-encoder"], result.calibrations["cross-encoder"], ds, top_k=6,
                          signed=False)
    assert result.networks["cross-encoder"].equals(other)


def test_the_written_files_say_how_the_tfs_without_edges_are_weighted(synthetic, monkeypatch, tmp_path):
    _, ds, lacking = synthetic
    monkeypatch.setattr(inference, "recommendation", lambda *args: ("two-tower", "two-tower: chosen"))
    result = infer(ds, models="both", params=PARAMS, output=tmp_path, progress=False, signed=False)
    (other,) = [what for path, what in result.files if path.name == "network_cross-encoder.csv"]
    assert other.endswith(f"; its rows for the {len(lacking)} regulators without known edges are this model alone, "
                          "not checked against their targets' in-degree (network_two-tower blends and checks them), "
                          "unsigned")
    blend = result.unknown_regulators.blend
    (what,) = [what for path, what in result.files if path.name == "network_two-tower.csv"]
    assert what.endswith(f"; for the {len(lacking)} regulators without known edges, weight = the probability of a "
                         f"logistic regression (fitted on {blend.n_pairs} pairs of held-out TFs at prevalence "
                         f"{blend.prevalence:.3f}) on the model's log-odds (weight {blend.model_weight:.3f}) and the "
                         f"log share of regulators regulating the target, each weighed by softmax({blend.beta:g} x its "
                         f"correlation with the TF) (weight {blend.share_weight:.3f}), unsigned")
