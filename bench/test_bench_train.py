"""One training epoch, ours and PyTorch, the three models, both embedding variants, every scale
and a real training split (BEELINE, where regulators recur within a batch); at the
reference size also with issue 25's ``feature_interaction`` layer ("train-fi" rows) and,
for the two-tower family, with 10 random negatives per training edge, each a pair of
its own (the defaults) or shared by each batch (``shared_negatives=True``): "train-rn"
rows, variant "separate" or "shared".

What is timed is a whole ``fit`` of one epoch on each side (model construction and
initialisation included, no validation split), as a user would pay for it.
``bench/report.py`` separates the steady per-epoch time from that set-up.
"""
import pytest

import ours
from conftest import KINDS, VARIANTS, rounds_for, scale_params


@pytest.mark.parametrize("scale", scale_params(real=True))
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("kind", KINDS)
def test_train_epoch_ours(record, problems, kind, variant, scale):
    p = problems(scale)
    record(("train", kind, variant, scale), "ours",
           lambda: ours.fit_seconds(kind, variant, p.features, p.train_pairs, p.train_labels, 1), rounds_for(scale))


@pytest.mark.parametrize("scale", scale_params(real=True))
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("kind", KINDS)
def test_train_epoch_torch(record, problems, torch_reference, kind, variant, scale):
    p = problems(scale)
    record(("train", kind, variant, scale), "torch",
           lambda: torch_reference.fit_seconds(kind, variant, p.features, p.train_pairs, p.train_labels, 1),
           rounds_for(scale))


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("kind", KINDS)
def test_train_epoch_feature_interaction_ours(record, problems, kind, variant):
    """One-epoch fit with issue 25's feature_interaction layer, at the reference size."""
    p = problems("1x")
    record(("train-fi", kind, variant, "1x"), "ours",
           lambda: ours.fit_seconds(kind, variant, p.features, p.train_pairs, p.train_labels, 1,
                                    feature_interaction=True), rounds_for("1x"))


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("kind", KINDS)
def test_train_epoch_feature_interaction_torch(record, problems, torch_reference, kind, variant):
    p = problems("1x")
    record(("train-fi", kind, variant, "1x"), "torch",
           lambda: torch_reference.fit_seconds(kind, variant, p.features, p.train_pairs, p.train_labels, 1,
                                               feature_interaction=True), rounds_for("1x"))


# Random negatives per training edge in the "train-rn" rows: the defaults' ratio.
RANDOM_NEGATIVES = 10.0


# One epoch of the published configuration with 10 random negatives per edge can
# leave the two-tower scoring every pair alike (fit's closing check warns); the time is the point here.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("shared", [False, True], ids=["separate", "shared"])
@pytest.mark.parametrize("kind", ["two_tower", "late_interaction"])
def test_train_epoch_random_negatives_ours(record, problems, kind, shared):
    """One-epoch fit with 10 random negatives per training edge, each a pair of its own
    or shared by each batch (shared_negatives=True), at the reference size, dense."""
    p = problems("1x")
    record(("train-rn", kind, "shared" if shared else "separate", "1x"), "ours",
           lambda: ours.fit_seconds(kind, "dense", p.features, p.train_pairs, p.train_labels, 1,
                                    random_negatives=RANDOM_NEGATIVES, shared=shared), rounds_for("1x"))


@pytest.mark.parametrize("shared", [False, True], ids=["separate", "shared"])
@pytest.mark.parametrize("kind", ["two_tower", "late_interaction"])
def test_train_epoch_random_negatives_torch(record, problems, torch_reference, kind, shared):
    p = problems("1x")
    record(("train-rn", kind, "shared" if shared else "separate", "1x"), "torch",
           lambda: torch_reference.fit_seconds(kind, "dense", p.features, p.train_pairs, p.train_labels, 1,
                                               random_negatives=RANDOM_NEGATIVES, shared=shared), rounds_for("1x"))


@pytest.mark.parametrize("feature_interaction", [False, True], ids=["plain", "feature_interaction"])
@pytest.mark.parametrize("kind", KINDS)
def test_parameter_counts_match(problems, torch_reference, kind, feature_interaction):
    """The reference is the same architecture: the same number of trainable parameters,
    with issue 25's feature_interaction layer too (test_bench_match.py: the same logits)."""
    features = problems("1x").features
    for variant in VARIANTS:
        model, _ = torch_reference.build(kind, variant, features, feature_interaction=feature_interaction)
        estimator = ours.estimator(kind, variant, features, 1, feature_interaction=feature_interaction)
        assert torch_reference.count_parameters(model) == estimator.count_parameters()
