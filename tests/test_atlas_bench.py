"""The atlas benchmark's path on a small file: bench/atlas_h5ad.py writes an .h5ad
that anndata reads, and GRNDataset.from_anndata's blockwise cell-type means equal
those computed on the whole matrix in memory."""
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grnfast.data import GRNDataset, single_cell

anndata = pytest.importorskip("anndata")
BENCH = Path(__file__).resolve().parents[1] / "bench" / "atlas_h5ad.py"


@pytest.fixture(scope="module")
def atlas_module():
    spec = importlib.util.spec_from_file_location("atlas_h5ad", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_small_atlas_blockwise_equals_whole(atlas_module, tmp_path, monkeypatch):
    path = tmp_path / "atlas.h5ad"
    sparse_bytes = atlas_module.write_atlas(path, n_cells=1500, n_genes=300, density=0.05, n_types=6, seed=1)
    adata = anndata.read_h5ad(path)
    assert adata.shape == (1500, 300) and adata.X.nnz * 8 + 1501 * 8 == sparse_bytes
    counts = adata.X.toarray().astype(np.float64)
    log = np.log1p(counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) * 1e4)
    expected = pd.DataFrame(log).groupby(adata.obs["cell_type"].to_numpy()).mean().T
    monkeypatch.setattr(single_cell, "BLOCK_VALUES", 2000)  # about 100 blocks, as on an atlas
    ds = GRNDataset.from_anndata(path, atlas_module.prior_for(300, n_edges=200), groupby="cell_type",
                                 gene_symbols="symbol")
    assert list(ds.node_features.columns) == list(expected.columns)
    np.testing.assert_allclose(ds.node_features.to_numpy(), expected.to_numpy(), rtol=1e-5, atol=1e-6)
    assert ds.notes["expression"]["values"] == "counts"
