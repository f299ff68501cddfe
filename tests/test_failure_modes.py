"""The three published failure modes of hand-written engines, pinned down:
a second sigmoid in the backward pass, an unstable loss, and wrong clipping."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scipy.special import expit as sigmoid

from grnfast import _core
from grnfast import _core_testing as T
from grnfast.models._parameters import initial_parameters


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), batch=st.integers(1, 300))
def test_logit_gradient_is_p_minus_y_over_batch(seed, batch):
    rng = np.random.default_rng(seed)
    z, y = rng.standard_normal(batch) * 4, rng.integers(0, 2, batch).astype(float)
    _, dz = T.bce_with_logits(z, y)
    np.testing.assert_allclose(dz, (sigmoid(z) - y) / batch, rtol=1e-13, atol=1e-16)
    w = rng.uniform(0.1, 5, batch)
    _, dzw = T.bce_with_logits(z, y, w)
    np.testing.assert_allclose(dzw, w * (sigmoid(z) - y) / batch, rtol=1e-13, atol=1e-16)


def test_whole_model_applies_the_sigmoid_once():
    """The output bias gradient is sum(p - y) / batch, with p from the model's own logits."""
    spec = _core.ModelSpec()
    spec.n_genes, spec.n_features, spec.embedding_dim, spec.hidden = 6, 2, 4, [5, 3]
    spec.batch_norm, spec.dropout = False, 0.0  # training logits equal evaluation logits
    layout = _core.layout(spec)
    params, buffers = initial_parameters(layout, np.random.RandomState(1))
    params, buffers = params.astype(np.float64), buffers.astype(np.float64)
    rng = np.random.default_rng(1)
    feats = rng.standard_normal((6, 2))
    pairs, y = rng.integers(0, 6, (9, 2)), rng.integers(0, 2, 9).astype(float)
    _, grad, _, _ = T.loss_and_grad(spec, params, buffers, feats, pairs, y)
    network = _core.FittedNetwork(spec, params.astype(np.float32), buffers.astype(np.float32), feats.astype(np.float32))
    logits = network.predict_logits(pairs).astype(np.float64)
    out_bias = next(g for g in layout["params"] if g["name"] == "head.2.bias")
    assert grad[out_bias["offset"]] == pytest.approx(np.sum(sigmoid(logits) - y) / 9, rel=1e-5)


@pytest.mark.parametrize("z, y", [(1e4, 0.0), (-1e4, 1.0), (1e4, 1.0), (-1e4, 0.0)])
def test_loss_is_finite_for_huge_logits(z, y):
    loss, dz = T.bce_with_logits(np.array([z]), np.array([y]))
    assert np.isfinite(loss) and np.isfinite(dz).all()
    assert loss == pytest.approx(abs(z) if (z > 0) != (y > 0) else 0.0, abs=1e-12)
    assert dz[0] == pytest.approx(sigmoid(z) - y)


def test_float32_model_loss_is_finite_with_huge_logits():
    spec = _core.ModelSpec()
    spec.n_genes, spec.n_features, spec.embedding_dim, spec.hidden = 4, 0, 2, [3]
    layout = _core.layout(spec)
    params, buffers = initial_parameters(layout, np.random.RandomState(0))
    out_bias = next(g for g in layout["params"] if g["name"] == "head.1.bias")
    for bias in (1e4, -1e4):
        params[out_bias["offset"]] = bias
        loss, grad, _, _ = T.loss_and_grad(spec, params, buffers, np.zeros((4, 0), np.float32),
                                           np.array([[0, 1], [2, 3]]), np.array([0, 1], np.float32))
        assert np.isfinite(loss) and loss == pytest.approx(1e4 / 2, rel=1e-3)
        assert np.isfinite(grad).all()


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 20000), scale=st.floats(1e-3, 1e3), clip=st.floats(0.1, 10))
def test_clipping_brings_the_norm_exactly_to_the_threshold(seed, n, scale, clip):
    g = np.random.default_rng(seed).standard_normal(n) * scale
    norm = np.linalg.norm(g)
    cfg = _core.AdamConfig()
    cfg.clip_norm = clip
    z = np.zeros(n)
    *_, factor = T.adam_step(z, g, z, z, 1, cfg)
    if norm > clip:
        assert np.linalg.norm(g * factor) == pytest.approx(clip, rel=1e-12)
    else:
        assert factor == 1.0
    assert T.clip_scale(norm, 0.0) == 1.0  # clip_norm <= 0 disables clipping
