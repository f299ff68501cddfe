"""The PyTorch reference computes what grnfast computes: grnfast's fitted parameters
and batch-norm statistics, copied into ``torch_reference``'s model of the same kind,
give the same logits in evaluation mode (float32 tolerance), with and without
``feature_interaction`` (issue 25's layer: the towers' linear skip of the node
features, the cross-encoder's ``x_reg * x_tgt`` block of the first layer) and with
``gene_bias`` (a learned propensity per gene and role in the logit).

A small gene table (the published layer sizes, so the reference's constants apply)
and two epochs, so the batch-norm statistics and every weight have moved from their
initial values. With the layer on, the check also shows it is sensitive to it: the
reference's logits with the layer's weights zeroed are far from grnfast's.
"""
import numpy as np
import pytest

import ours
from conftest import KINDS

N_GENES, N_FEATURES, N_PAIRS = 300, 11, 3000
BATCH_NORM = {"bn_scale": "weight", "bn_shift": "bias", "running_mean": "running_mean", "running_var": "running_var"}


def torch_name(kind, name, n_layers):
    """The reference's name of grnfast's parameter or buffer ``name``, and whether it
    is a weight stored (fan_in, fan_out), i.e. the transpose of ``nn.Linear``'s."""
    if name == "embedding":
        return "embedding.weight", False
    if name == "gene_bias":
        return "gene_bias", False
    prefix, layer, attr = name.split(".")
    if layer == "features":  # the feature skip of a tower (feature_skip.hpp)
        return f"{prefix.replace('_tower', '_features')}.{attr}", True
    layer = int(layer)
    if kind == "cross_encoder":  # head = Sequential(_mlp(hidden sizes), Linear(last hidden, 1))
        module = "head.1" if layer == n_layers else f"head.0.{4 * layer}"
    else:
        module = f"{prefix}.{4 * layer}"
    if attr in BATCH_NORM:  # each _block is Linear, BatchNorm1d, ReLU, Dropout
        return f"{module[:module.rindex('.') + 1]}{int(module.rsplit('.', 1)[1]) + 1}.{BATCH_NORM[attr]}", False
    return f"{module}.{attr}", attr == "weight"


def copy_into(torch_reference, kind, fitted, model):
    """Load ``fitted``'s parameters and buffers into ``model``; every tensor of the
    model's state must be assigned exactly once (but BatchNorm1d's batch counter, and
    the node features, which both sides standardise alike: compared by the test)."""
    import torch

    state = model.state_dict()
    wanted = {k for k in state if not k.endswith("num_batches_tracked") and k != "features"}
    n_layers = len(torch_reference.HIDDEN)
    named = {**fitted.named_parameters(), **fitted.network_.named_buffers()}
    assigned = {}
    for name, value in named.items():
        target, transpose = torch_name(kind, name, n_layers)
        value = np.asarray(value, dtype=np.float32)
        value = torch.from_numpy(np.ascontiguousarray(value.T if transpose else value))
        assert target in wanted and target not in assigned, (name, target)
        assert state[target].shape == value.shape, (name, target, state[target].shape, value.shape)
        assigned[target] = value
    assert set(assigned) == wanted, sorted(wanted ^ set(assigned))
    model.load_state_dict(assigned, strict=False)


@pytest.mark.parametrize("feature_interaction, gene_bias", [(False, False), (True, False), (True, True)],
                         ids=["plain", "feature_interaction", "feature_interaction+gene_bias"])
@pytest.mark.parametrize("kind", KINDS)
def test_logits_match(torch_reference, kind, feature_interaction, gene_bias):
    import torch

    rng = np.random.default_rng(1)
    features = rng.random((N_GENES, N_FEATURES)) * rng.uniform(0.5, 5, N_FEATURES)
    pairs = rng.integers(0, N_GENES, (N_PAIRS, 2))
    # Labels that depend on the features, so the layer's weights learn something.
    labels = (features[pairs[:, 0], 0] * features[pairs[:, 1], 1] > np.median(
        features[pairs[:, 0], 0] * features[pairs[:, 1], 1])).astype(np.int64)
    fitted = ours.estimator(kind, "dense", features, 2, feature_interaction=feature_interaction,
                            gene_bias=gene_bias).fit(pairs, labels)
    model, _ = torch_reference.build(kind, "dense", features, feature_interaction=feature_interaction,
                                     gene_bias=gene_bias)
    assert torch_reference.count_parameters(model) == fitted.count_parameters()
    # The same standardised node features (population std, as torch_reference.standardise).
    np.testing.assert_allclose(model.features.numpy(), fitted.network_.node_features, rtol=1e-5, atol=1e-5)
    copy_into(torch_reference, kind, fitted, model)

    scored = np.concatenate([pairs[:500], rng.integers(0, N_GENES, (500, 2))])
    expected = fitted.decision_function(scored)
    model.eval()
    with torch.inference_mode():
        logits = model(torch.from_numpy(scored.astype(np.int64))).numpy().astype(np.float64)
    scale = max(1.0, np.abs(expected).max())
    np.testing.assert_allclose(logits, expected, rtol=1e-4, atol=2e-5 * scale)
    assert np.std(expected) > 1e-3 * scale  # the pairs are told apart: a meaningful comparison

    if gene_bias:
        saved = model.gene_bias.detach().clone()
        assert saved.abs().max() > 0  # fitted biases were copied, not the initial zeros
        if saved.abs().max() > 10 * 2e-5 * scale:  # the logits' scale lets the check see them (not the
            with torch.no_grad():                 # two-tower's, whose logits are divided by 0.05)
                model.gene_bias.zero_()
            with torch.inference_mode():
                without = model(torch.from_numpy(scored.astype(np.int64))).numpy().astype(np.float64)
            assert np.abs(without - expected).max() > 10 * 2e-5 * scale
            with torch.no_grad():
                model.gene_bias.copy_(saved)
    if feature_interaction:  # the check covers the new layer: without it, far from grnfast
        with torch.no_grad():
            if kind == "cross_encoder":
                first = model.head[0][0].weight  # (out, in); the x_reg * x_tgt block's columns
                start = 3 * torch_reference.EMBEDDING_DIM + 2 * N_FEATURES
                first[:, start:start + N_FEATURES] = 0
            else:
                model.regulator_features.weight.zero_()
                model.target_features.weight.zero_()
        with torch.inference_mode():
            without = model(torch.from_numpy(scored.astype(np.int64))).numpy().astype(np.float64)
        assert np.abs(without - expected).max() > 100 * 2e-5 * scale
