"""GEMM and dropout kernels: right answers for every shape and transpose, the
same bits for every thread count, and masks that depend only on their key."""
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grnfast import _core
from grnfast import _core_testing as T


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    m=st.integers(1, 130),
    n=st.integers(1, 130),
    k=st.integers(1, 600),
    ta=st.booleans(),
    tb=st.booleans(),
    dtype=st.sampled_from([np.float32, np.float64]),
)
@example(seed=0, m=130, n=130, k=600, ta=False, tb=True, dtype=np.float32)  # surely above the parallel threshold
def test_gemm_matches_numpy_and_is_thread_independent(seed, m, n, k, ta, tb, dtype):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((m, k)).astype(dtype)
    B = rng.standard_normal((k, n)).astype(dtype)
    a = np.ascontiguousarray(A.T) if ta else A
    b = np.ascontiguousarray(B.T) if tb else B
    C1 = T.gemm(a, b, ta, tb, n_threads=1)
    expected = A.astype(np.float64) @ B.astype(np.float64)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(C1, expected, rtol=tol, atol=tol * np.sqrt(k))
    for threads in (2, 3):
        np.testing.assert_array_equal(T.gemm(a, b, ta, tb, n_threads=threads), C1)


def test_every_float_kernel_agrees(tmp_path):
    """Force each SIMD kernel in a subprocess; AVX2 and AVX-512 use FMA in the same
    order, so they agree bit for bit; the portable kernel agrees to rounding."""
    code = (
        "import numpy as np; from grnfast import _core, _core_testing; r = np.random.default_rng(0);"
        "A = r.standard_normal((77, 300)).astype(np.float32); B = r.standard_normal((300, 45)).astype(np.float32);"
        "C = _core_testing.gemm(A, B); import sys; sys.stdout.buffer.write(_core.gemm_kernel().encode() + b'|' + C.tobytes())"
    )
    results = {}
    for kernel in ("portable", "avx2", "avx512"):
        env = dict(os.environ, GRNFAST_GEMM_KERNEL=kernel)
        # Run outside the source tree so the installed package (with its compiled modules) is imported.
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True, cwd=tmp_path).stdout
        name, raw = out.split(b"|", 1)
        results[name.decode()] = np.frombuffer(raw, dtype=np.float32)
    assert "portable" in results
    reference = next(iter(results.values()))
    for c in results.values():
        np.testing.assert_allclose(c, reference, rtol=1e-4, atol=1e-4)
    if "avx2" in results and "avx512" in results:
        np.testing.assert_array_equal(results["avx2"], results["avx512"])


def test_dropout_mask_rate_and_key_dependence():
    samples = np.arange(2000)
    mask = T.dropout_mask(seed=3, epoch=1, stream=2, samples=samples, width=64, p=0.3)
    assert abs(1 - mask.mean() - 0.3) < 0.01
    # Same key, any subset or order of samples: the same rows.
    again = T.dropout_mask(seed=3, epoch=1, stream=2, samples=samples[::-1], width=64, p=0.3)
    np.testing.assert_array_equal(again[::-1], mask)
    for change in ({"seed": 4}, {"epoch": 2}, {"stream": 3}):
        key = {"seed": 3, "epoch": 1, "stream": 2, **change}
        other = T.dropout_mask(samples=samples, width=64, p=0.3, **key)
        assert (other != mask).mean() > 0.3
    assert T.dropout_mask(seed=3, epoch=1, stream=2, samples=samples, width=64, p=0.0).all()


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_scales_kept_units(p):
    Z = np.abs(np.random.default_rng(0).standard_normal((500, 40))) + 0.1
    ones = np.ones(40)
    A = T.bn_relu_dropout(Z, ones, np.zeros(40), np.zeros(40), ones, np.zeros_like(Z), batch_norm=False, dropout=p)[0]
    kept = A != 0
    np.testing.assert_allclose(A[kept], Z[kept] / (1 - p), rtol=1e-12)
    assert abs(kept.mean() - (1 - p)) < 0.02
