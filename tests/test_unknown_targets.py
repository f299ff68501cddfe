"""infer with genes its prior has no edge into (targets_without_edges="unknown"):
never a negative's target, a check on genes held out of a further training, and
the recommended network's pairs into them scored by the check's blend."""
import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit

import grnfast.genes
import grnfast.pipeline.inference as inference
from grnfast import GRNInputError
from grnfast.data import GRNDataset
from grnfast.models.presets import TINY_PARAMS
from grnfast.pipeline import infer
from grnfast.pipeline.cold_blend import ColdBlend, prior_regulators
from grnfast.pipeline.networks import network_edges
from grnfast.pipeline.training import best_epoch
from grnfast.pipeline.unknown_targets import MIN_TARGETS_WITH_EDGES, UnknownTargetCheck, check_unknown_targets

PARAMS = {**TINY_PARAMS, "n_jobs": 1}


def without_edges_into(ds, targets):
    """``ds`` whose prior has no edge into ``targets`` (still genes of it)."""
    return GRNDataset(ds.name, ds.node_features, ds.edges[~ds.edges["target"].isin(targets)], ds.regulators,
                      ds.expression, ds.cell_types)


def kept_epoch(result):
    """The epoch the run's two-tower kept: what the check trains for."""
    return best_epoch(result.models["two-tower"])


@pytest.fixture(scope="module")
def synthetic():
    ds = GRNDataset.synthetic(n_genes=300, n_regulators=40, n_cells=300, random_state=3)
    lacking = list(ds.known_targets[::4][:50])
    return ds, without_edges_into(ds, lacking), lacking


def test_the_check_holds_out_a_fifth_of_the_genes_with_regulators_and_is_reproducible(synthetic, monkeypatch):
    _, ds, lacking = synthetic
    regulators = list(ds.known_regulators)
    check = check_unknown_targets(ds, "two-tower", PARAMS, negative_regulators=regulators, random_state=1,
                                  progress=False)
    assert check.model == "two-tower" and check.n_without_edges == len(ds.genes) - len(ds.known_targets)
    assert check.n_without_edges >= len(lacking)
    assert check.n_held_out == max(1, round(0.2 * len(ds.known_targets))) and 0 < check.prevalence < 1
    for metrics in (check.model_metrics, check.out_degree_metrics, check.blend_metrics):
        assert set(metrics) == {"auroc", "auprc", "auroc_per_target"}
        assert all(0 <= value <= 1 for value in metrics.values())
    assert check.blend.side == "targets" and check.blend.n_pairs > 0
    again = check_unknown_targets(ds, "two-tower", PARAMS, negative_regulators=regulators, random_state=1,
                                  progress=False)
    assert again == check
    monkeypatch.setattr(grnfast.genes, "usable_cores", lambda: 4)
    assert check_unknown_targets(ds, "two-tower", {**PARAMS, "n_jobs": 2}, negative_regulators=regulators,
                                 random_state=1, progress=False) == check


def what_the_check_trains_on(ds, policy, monkeypatch):
    """(task, unfitted model) the check's training is given, under ``policy``."""
    seen = {}

    def spy(task, name, model, progress, epochs):
        seen["task"], seen["model"] = task, model
        raise RuntimeError("stop")

    monkeypatch.setattr("grnfast.pipeline.unknown_targets.train", spy)
    with pytest.raises(RuntimeError, match="stop"):
        check_unknown_targets(ds, "two-tower", PARAMS, negative_regulators=list(ds.regulators), policy=policy,
                              progress=False)
    return seen["task"], seen["model"]


def test_the_checks_training_never_draws_a_gene_without_regulators_or_a_held_out_one(synthetic, monkeypatch):
    _, ds, _ = synthetic
    task, model = what_the_check_trains_on(ds, "unknown", monkeypatch)
    held_out = set(task.notes["held_out"]) | set(task.notes["validation_held_out"])
    assert set(task.X_train.iloc[:, 1]) <= set(ds.known_targets) - held_out
    assert set(model.negative_targets) == set(ds.known_targets) - held_out


def test_no_check_when_every_gene_has_a_regulator_or_too_few_have():
    full = GRNDataset.synthetic(n_genes=60, n_regulators=10, n_cells=100, random_state=0)
    every = [(r, g) for r in full.regulators[:2] for g in full.genes if r != g] + [(full.regulators[2],
                                                                                   full.regulators[0]),
                                                                                  (full.regulators[0],
                                                                                   full.regulators[1])]
    dense = GRNDataset(full.name, full.node_features, pd.DataFrame(every, columns=["regulator", "target"]),
                       full.regulators, full.expression, full.cell_types)
    assert len(dense.known_targets) == len(dense.genes)
    assert check_unknown_targets(dense, "two-tower", PARAMS, negative_regulators=[], progress=False) is None
    few = without_edges_into(full, list(full.known_targets[MIN_TARGETS_WITH_EDGES - 1:]))
    assert len(few.known_targets) == MIN_TARGETS_WITH_EDGES - 1
    assert check_unknown_targets(few, "two-tower", PARAMS, negative_regulators=[], progress=False) is None


def check_with(blend_auroc, blend_auprc):
    return UnknownTargetCheck("two-tower", 30, 12, 0.05, {"auroc": 0.6, "auprc": 0.1, "auroc_per_target": 0.6},
                              {"auroc": 0.7, "auprc": 0.2, "auroc_per_target": 0.65},
                              {"auroc": blend_auroc, "auprc": blend_auprc, "auroc_per_target": 0.7},
                              ColdBlend(-1.0, 0.5, 0.25, 2.0, 400, 0.05, "targets"))


def test_the_sentence_warns_unless_the_blend_beats_out_degree_on_both_metrics():
    wins, loses = check_with(0.8, 0.3), check_with(0.8, 0.15)
    assert wins.blend_wins and not loses.blend_wins
    assert wins.sentence().startswith("the 30 genes without a known regulator are scored by two-tower and the "
                                      "regulators of the genes with edges they are co-expressed with, weighed on "
                                      "other held-out genes (0.50 x the log-odds + 0.25 x the log regulator share): "
                                      "on 12 genes")
    assert "out-degree over the rest of the prior at 0.700 / 0.200" in wins.sentence()
    assert "but their regulators may be no better than the prior's hub TFs" in loses.sentence()


def test_a_bad_policy_is_named():
    with pytest.raises(GRNInputError, match="targets_without_edges must be one of negative, unknown; got 'x'"):
        infer(targets_without_edges="x", output=None)


def test_by_default_the_models_draw_every_gene_and_the_check_draws_its_held_out_genes_too(synthetic, monkeypatch):
    """targets_without_edges="negative" (the default): the run's negatives draw the
    genes without regulators as targets, and the check's training draws its
    held-out genes likewise (the run's question, asked of genes it knows)."""
    _, ds, _ = synthetic
    monkeypatch.setattr(inference, "recommendation", lambda *args: ("two-tower", "two-tower: chosen"))
    result = infer(ds, models="two-tower", params=PARAMS, output=None, progress=False, top_k=3)
    assert result.models["two-tower"].negative_targets is None
    assert not set(result.task.X_train.iloc[:, 1]) <= set(ds.known_targets)
    assert result.unknown_targets == check_unknown_targets(ds, "two-tower", PARAMS, negative_regulators=ds.regulators,
                                                           policy="negative", epochs=kept_epoch(result),
                                                           progress=False)
    task, model = what_the_check_trains_on(ds, "negative", monkeypatch)
    negatives = task.X_train[task.y_train == 0].iloc[:, 1]
    assert negatives.isin(task.notes["held_out"]).any() and model.negative_targets is None


def test_the_recommended_network_scores_genes_without_regulators_by_the_checks_blend(synthetic, monkeypatch,
                                                                                      tmp_path):
    """Pairs into genes without known regulators get the blend's probability moved to
    the calibration's prevalence, every other pair of the recommended model its
    calibrated probability as without the blend; one ranking holds both. The other
    model's network is unchanged."""
    _, ds, lacking = synthetic
    monkeypatch.setattr(inference, "recommendation", lambda *args: ("two-tower", "two-tower: chosen"))
    result = infer(ds, models="both", params=PARAMS, output=tmp_path, progress=False, top_k=None, signed=False,
                   targets_without_edges="unknown", regulators_without_edges="negative")
    check = result.unknown_targets
    assert check == check_unknown_targets(ds, "two-tower", PARAMS, negative_regulators=ds.regulators,
                                          epochs=kept_epoch(result), progress=False)
    split_targets = set(result.task.X_train.iloc[:, 1]) | set(result.task.X_val.iloc[:, 1]) \
        | set(result.task.X_test.iloc[:, 1])
    assert split_targets <= set(ds.known_targets)
    assert set(result.models["two-tower"].negative_targets) == set(ds.known_targets)
    network = result.networks["two-tower"]
    assert np.all(np.diff(network.EdgeWeight) <= 0)
    cold = network[~network.Gene2.isin(ds.known_targets)]
    assert set(lacking) <= set(cold.Gene2)
    model = result.models["two-tower"]
    pairs = cold[["Gene1", "Gene2"]]
    share = prior_regulators(ds, check.blend.beta).pair_log_share(pairs)
    calibration = result.calibrations["two-tower"]
    shift = logit(calibration.prevalence) - logit(check.blend.prevalence)
    expected = expit(check.blend.logits(model.decision_function(pairs), share) + shift)
    assert np.allclose(cold.EdgeWeight, expected, rtol=1e-5)
    warm = network[network.Gene2.isin(ds.known_targets)]
    alone = network_edges(model, calibration, ds, signed=False).set_index(["Gene1", "Gene2"]).EdgeWeight
    expected = alone.reindex(pd.MultiIndex.from_frame(warm[["Gene1", "Gene2"]])).to_numpy()
    assert np.allclose(warm.EdgeWeight, expected, rtol=1e-12, atol=0)  # as without the blend
    other = network_edges(result.models["cross-encoder"], result.calibrations["cross-encoder"], ds, signed=False)
    assert result.networks["cross-encoder"].equals(other)
    report = result.report()
    assert ("note: " if check.blend_wins else "warning: ") + check.sentence() in report.splitlines()
    assert "checking genes without edges" in result.closing_line
    (what,) = [what for path, what in result.files if path.name == "network_two-tower.csv"]
    assert (f"; for the pairs into the {check.n_without_edges} genes without known regulators, weight = the "
            f"probability of a logistic regression (fitted on {check.blend.n_pairs} pairs of held-out genes") in what
    assert f"(weight {check.blend.share_weight:.3f}), moved to the prevalence {calibration.prevalence:.2f}" in what
    (other_what,) = [what for path, what in result.files if path.name == "network_cross-encoder.csv"]
    assert f"its pairs into the {check.n_without_edges} genes without known regulators are this model alone" \
        in other_what


def test_top_k_ranks_both_kinds_of_target_on_one_scale(synthetic, monkeypatch):
    _, ds, _ = synthetic
    monkeypatch.setattr(inference, "recommendation", lambda *args: ("two-tower", "two-tower: chosen"))
    every = infer(ds, models="two-tower", params=PARAMS, output=None, progress=False, top_k=None, signed=False,
                  targets_without_edges="unknown").networks["two-tower"]
    top = infer(ds, models="two-tower", params=PARAMS, output=None, progress=False, top_k=5, signed=False,
                targets_without_edges="unknown").networks["two-tower"]
    expected = every.groupby("Gene1", sort=False).head(5)
    assert set(zip(top.Gene1, top.Gene2)) == set(zip(expected.Gene1, expected.Gene2))


def test_the_command_line_parses_the_policy():
    from grnfast.cli import build_parser

    parser = build_parser(("infer",))
    assert parser.parse_args(["infer"]).targets_without_edges == "negative"
    assert parser.parse_args(["infer", "--targets-without-edges", "unknown"]).targets_without_edges == "unknown"
    with pytest.raises(SystemExit):
        parser.parse_args(["infer", "--targets-without-edges", "maybe"])


def test_tfs_without_edges_keep_their_blend_for_every_gene_beside_the_target_blend(synthetic, monkeypatch):
    """Both checks in one run: a TF without edges is scored by its own blend for
    every gene (genes without regulators included); the other TFs' pairs into
    genes without regulators by the target blend."""
    from grnfast.pipeline.cold_blend import prior_targets

    _, ds, _ = synthetic
    lacking_tfs = list(ds.known_regulators[:6])
    both = GRNDataset(ds.name, ds.node_features, ds.edges[~ds.edges["regulator"].isin(lacking_tfs)], ds.regulators,
                      ds.expression, ds.cell_types)
    monkeypatch.setattr(inference, "recommendation", lambda *args: ("two-tower", "two-tower: chosen"))
    result = infer(both, models="two-tower", params=PARAMS, output=None, progress=False, top_k=None, signed=False)
    tf_check, target_check = result.unknown_regulators, result.unknown_targets
    assert tf_check is not None and target_check is not None
    network, model = result.networks["two-tower"], result.models["two-tower"]
    cold_rows = network[network.Gene1.isin(lacking_tfs)]
    assert (~cold_rows.Gene2.isin(both.known_targets)).any()
    pairs = cold_rows[["Gene1", "Gene2"]]
    expected = expit(tf_check.blend.logits(model.decision_function(pairs),
                                           prior_targets(both, tf_check.blend.beta).pair_log_share(pairs)))
    assert np.allclose(cold_rows.EdgeWeight, expected, rtol=1e-5)
    cold_columns = network[~network.Gene1.isin(lacking_tfs) & ~network.Gene2.isin(both.known_targets)]
    pairs = cold_columns[["Gene1", "Gene2"]]
    calibration = result.calibrations["two-tower"]
    shift = logit(calibration.prevalence) - logit(target_check.blend.prevalence)
    share = prior_regulators(both, target_check.blend.beta).pair_log_share(pairs)
    expected = expit(target_check.blend.logits(model.decision_function(pairs), share) + shift)
    assert np.allclose(cold_columns.EdgeWeight, expected, rtol=1e-5)
    assert len(network) == len(both.regulators) * len(both.genes) - len(both.regulators)


def test_a_check_that_cannot_run_is_a_warning_and_the_run_goes_on(synthetic, monkeypatch):
    _, ds, _ = synthetic
    monkeypatch.setattr(inference, "recommendation", lambda *args: ("two-tower", "two-tower: chosen"))

    def fails(*args, **kwargs):
        raise GRNInputError("cold-targets split: too few genes left to hold out for the validation part")

    monkeypatch.setattr(inference, "check_unknown_targets", fails)
    result = infer(ds, models="two-tower", params=PARAMS, output=None, progress=False, top_k=3)
    assert result.unknown_targets is None and "two-tower" in result.networks
    assert result.warnings[-1] == ("the check of the genes without known regulators could not run: cold-targets "
                                   "split: too few genes left to hold out for the validation part")
    every = infer(ds, models="two-tower", params=PARAMS, output=None, progress=False, top_k=3)
    assert "checking genes without edges" in every.closing_line
