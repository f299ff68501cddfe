"""The real data set shipped in the package (what `grnfast infer` runs on by
default): its sizes, and that it is BEELINE's mESC as published, to the 3
decimals it is stored with."""
import numpy as np
import pandas as pd
import pytest

from grnfast.data.shipped import MESC_EXPRESSION, MESC_NETWORK, load_mesc
from grnfast.models.presets import SHIPPED_DATA_PARAMS


@pytest.fixture(scope="module")
def mesc():
    return load_mesc()


def test_sizes_and_features(mesc):
    summary = mesc.summary()
    assert (summary["genes"], summary["regulators"], summary["edges"]) == (1120, 88, 29613)
    assert mesc.node_features.shape == (1120, 10) and np.isfinite(mesc.node_features.to_numpy()).all()
    assert MESC_EXPRESSION.stat().st_size + MESC_NETWORK.stat().st_size < 1.5e6
    assert (MESC_EXPRESSION.parent / "README.md").is_file()
    assert SHIPPED_DATA_PARAMS == {"random_negative_ratio": 0.0, "max_iter": 20}


def test_it_is_beeline_mesc_as_published(shared_data):
    folder = shared_data / "beeline" / "Specific Dataset" / "mESC" / "TFs+500"
    published = pd.read_csv(folder / "BL--ExpressionData.csv.gz", index_col=0)
    shipped = pd.read_csv(MESC_EXPRESSION, index_col=0)
    assert list(shipped.index) == list(published.index) and list(shipped.columns) == list(published.columns)
    assert np.abs(shipped.to_numpy() - published.to_numpy()).max() <= 0.0005 + 1e-12
    edges = pd.read_csv(MESC_NETWORK)
    pd.testing.assert_frame_equal(edges, pd.read_csv(folder / "BL--network.csv.gz"))


def test_the_default_run_is_deterministic(mesc):
    again = load_mesc()
    pd.testing.assert_frame_equal(mesc.node_features, again.node_features)
