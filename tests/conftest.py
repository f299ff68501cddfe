"""Shared fixtures. Real data lives in ../shared/data beside the repository; tests
that need it skip, saying where they looked, when it is absent."""
import sys
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data():
    if not (SHARED_DATA / "beeline").is_dir():
        pytest.skip(f"real benchmark data not found at {SHARED_DATA} (it sits beside the repository in CI)")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def close_figures():
    """Studies and the CLI draw figures; close them so no test run accumulates
    more than matplotlib's limit (its warning is an error here)."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
