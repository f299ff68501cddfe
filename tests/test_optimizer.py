"""The fused clip + Adam step against a plain NumPy reference, over several steps."""
import numpy as np
import pytest

from grnfast import _core
from grnfast import _core_testing as T


def reference_steps(w, grads, lr, l2, decoupled, clip, b1=0.9, b2=0.999, eps=1e-8):
    """torch.nn.utils.clip_grad_norm_ followed by torch.optim.Adam / AdamW, in NumPy."""
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        norm = np.linalg.norm(g)
        g = g * (clip / norm if clip > 0 and norm > clip else 1.0)
        if decoupled:
            w = w * (1 - lr * l2)
        else:
            g = g + l2 * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - (lr / (1 - b1**t)) * m / (np.sqrt(v) / np.sqrt(1 - b2**t) + eps)
    return w


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 2e-6)])
@pytest.mark.parametrize("decoupled", [False, True])
@pytest.mark.parametrize("clip", [0.0, 0.5, 100.0])
def test_adam_matches_reference(decoupled, clip, dtype, rtol):
    """float64 is the generic kernel; float32 the SIMD one that training uses."""
    rng = np.random.default_rng(7)
    n = 10000  # more than one parallel block
    w0 = rng.standard_normal(n)
    grads = [rng.standard_normal(n) * s for s in (0.01, 3.0, 0.2, 10.0)]
    cfg = _core.AdamConfig()
    cfg.learning_rate, cfg.l2, cfg.decoupled, cfg.clip_norm = 5e-3, 0.01, decoupled, clip
    w, m, v = w0.astype(dtype), np.zeros(n, dtype), np.zeros(n, dtype)
    for t, g in enumerate(grads, start=1):
        w, m, v, _ = T.adam_step(w, g.astype(dtype), m, v, t, cfg)
    assert w.dtype == dtype
    expected = reference_steps(w0, grads, 5e-3, 0.01, decoupled, clip)
    np.testing.assert_allclose(w, expected, rtol=rtol, atol=rtol * 1e-2)
