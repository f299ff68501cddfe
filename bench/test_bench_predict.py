"""``predict_proba`` throughput, ours and PyTorch, both models: scoring all the labelled
pairs of each scale (11,847 to 758,208 pairs) with a model over the full gene table."""
import pytest

import ours
from conftest import KINDS, rounds_for, scale_params


@pytest.mark.parametrize("scale", scale_params())
@pytest.mark.parametrize("kind", KINDS)
def test_predict_proba_ours(record, problems, benchmark, kind, scale):
    p, reference = problems(scale), problems("1x")
    model = ours.fitted_for_prediction(kind, reference.features, reference.train_pairs, reference.train_labels)
    pairs = p.all_pairs
    benchmark.extra_info["pairs"] = len(pairs)
    record(("predict", kind, "-", scale), "ours", lambda: model.predict_proba(pairs), rounds_for(scale))


@pytest.mark.parametrize("scale", scale_params())
@pytest.mark.parametrize("kind", KINDS)
def test_predict_proba_torch(record, problems, benchmark, torch_reference, kind, scale):
    p = problems(scale)
    model, _ = torch_reference.build(kind, "sparse", p.features)
    pairs = p.all_pairs
    benchmark.extra_info["pairs"] = len(pairs)
    record(("predict", kind, "-", scale), "torch", lambda: torch_reference.predict_proba(model, pairs),
           rounds_for(scale))
