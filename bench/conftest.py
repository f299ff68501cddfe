"""Shared fixtures of the benchmark suite, and a closing summary of ours vs PyTorch.

The 16x cases take minutes per round; they run only with GRNFAST_BENCH_LARGE=1.
"""
import os
import sys
from collections import defaultdict

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # bench/ is not a package: import its modules by name

from problem import REAL_SPLIT, SCALES, make_problem, real_split  # noqa: E402

LARGE = os.environ.get("GRNFAST_BENCH_LARGE") == "1"
KINDS = ("cross_encoder", "two_tower", "late_interaction")
VARIANTS = ("dense", "sparse")

# (measure, kind, variant, scale) -> {"ours": seconds, "torch": seconds}, filled by `record`.
_MEDIANS = defaultdict(dict)


def scale_params(real=False):
    """The scales as pytest params (16x is skipped unless GRNFAST_BENCH_LARGE=1); with
    ``real``, also "real": the published BEELINE training split of problem.REAL_SPLIT."""
    skip = pytest.mark.skip(reason="16x takes minutes per round: set GRNFAST_BENCH_LARGE=1")
    return [pytest.param(name, marks=() if name != "16x" or LARGE else skip) for name in SCALES] + (
        ["real"] if real else [])


def rounds_for(scale):
    """Three rounds up to the reference size, one above it (a round is many batches already)."""
    return 3 if scale == "real" or SCALES[scale] <= 1.0 else 1


@pytest.fixture(scope="session")
def problems():
    cache = {}

    def get(scale):
        if scale not in cache:
            cache[scale] = real_split() if scale == "real" else make_problem(SCALES[scale])
        if cache[scale] is None:
            pytest.skip(f"the BEELINE split {REAL_SPLIT!r} is not in ../shared/data beside the repository")
        return cache[scale]

    return get


@pytest.fixture
def torch_reference():
    return pytest.importorskip("torch_reference", reason="PyTorch is not installed")


@pytest.fixture
def record(benchmark):
    """Run ``benchmark.pedantic`` and keep its median for the closing summary."""

    def run(key, side, fn, rounds):
        benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=0)
        if benchmark.stats is not None:  # None under --benchmark-disable
            _MEDIANS[key][side] = benchmark.stats["median"]

    return run


def pytest_terminal_summary(terminalreporter):
    rows = [(key, sides) for key, sides in sorted(_MEDIANS.items()) if len(sides) == 2]
    if not rows:
        return
    terminalreporter.section("grnfast vs PyTorch (median seconds; speed-up = torch / ours)")
    for (measure, kind, variant, scale), sides in rows:
        terminalreporter.write_line(
            f"{measure:8s} {kind:14s} {variant:7s} {scale:5s} ours {sides['ours']:8.3f}  "
            f"torch {sides['torch']:8.3f}  speed-up {sides['torch'] / sides['ours']:6.2f}x"
        )
