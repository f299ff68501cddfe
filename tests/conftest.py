"""Shared fixtures. Real data lives in ../shared/data beside the repository; tests
that need it skip, saying where they looked, when it is absent."""
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data():
    if not (SHARED_DATA / "beeline").is_dir():
        pytest.skip(f"real benchmark data not found at {SHARED_DATA} (it sits beside the repository in CI)")
    return SHARED_DATA
