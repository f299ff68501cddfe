"""Results written back into AnnData: the edge table and parameters in uns, the
model's gene embeddings in varm, and all of it read back from an .h5ad file."""
import json

import numpy as np
import pandas as pd
import pytest

from grnfast import CrossEncoderClassifier, GRNInputError
from grnfast.data import GRNDataset
from grnfast.data.anndata_output import add_to_anndata
from grnfast.scoring import rank_edges

anndata = pytest.importorskip("anndata")

from test_single_cell import PRIOR, SYMBOLS, atlas_like  # noqa: E402


@pytest.fixture(scope="module")
def fitted():
    adata = atlas_like()
    ds = GRNDataset.from_anndata(adata, PRIOR, layer="counts", groupby="cell_type", gene_symbols="symbol")
    model = CrossEncoderClassifier(node_features=ds.node_features, embedding_dim=4, hidden_layer_sizes=(8,),
                                   max_iter=2, early_stopping=False, random_state=0, n_jobs=1)
    pairs = pd.DataFrame({"regulator": ["TF0", "TF1", "TF2", "TF0"], "target": ["GENE0", "GENE2", "GENE9", "GENE8"]})
    model.fit(pairs, [1, 1, 0, 0])
    return adata, model, rank_edges(model, ds.regulators, top_k=3)


def test_edges_parameters_and_embeddings_round_trip(fitted, tmp_path):
    adata, model, edges = fitted
    adata = adata.copy()
    add_to_anndata(adata, edges, model=model, gene_symbols="symbol")
    adata.write_h5ad(tmp_path / "out.h5ad")
    back = anndata.read_h5ad(tmp_path / "out.h5ad")
    entry = back.uns["grnfast"]
    pd.testing.assert_frame_equal(entry["edges"].reset_index(drop=True), edges, check_dtype=False)
    assert entry["model"] == "CrossEncoderClassifier"
    assert json.loads(entry["params"])["embedding_dim"] == 4
    embedding = back.varm["grnfast_embedding"]
    assert embedding.shape == (len(SYMBOLS), 4)
    row = list(model.genes_).index("GENE3")
    np.testing.assert_array_equal(embedding[SYMBOLS.index("GENE3")], model.named_parameters()["embedding"][row])


def test_genes_the_model_does_not_know_get_nan_rows(fitted):
    adata, model, edges = fitted
    adata = adata.copy()
    symbols = list(SYMBOLS)
    symbols[7] = "NOT_IN_MODEL"
    adata.var["symbol"] = symbols
    add_to_anndata(adata, edges, model=model, gene_symbols="symbol")
    assert np.isnan(adata.varm["grnfast_embedding"][7]).all()
    assert np.isfinite(adata.varm["grnfast_embedding"][6]).all()


def test_names_that_do_not_match_say_which_column_to_use(fitted):
    adata, model, edges = fitted
    with pytest.raises(GRNInputError, match="none of the model's 40 genes is among .*var_names.*gene_symbols="):
        add_to_anndata(adata.copy(), edges, model=model)  # var_names are Ensembl IDs
    with pytest.raises(GRNInputError, match="expected an AnnData"):
        add_to_anndata(edges, edges)


def test_edges_alone_with_parameters(fitted):
    adata, _, edges = fitted
    adata = adata.copy()
    add_to_anndata(adata, edges, params={"top_k": 3, "hidden_layer_sizes": (8,), "random_state": None},
                   key="run1")
    assert json.loads(adata.uns["run1"]["params"]) == {"hidden_layer_sizes": [8], "random_state": None, "top_k": 3}
    assert adata.uns["run1"]["varm"] == [] and not adata.varm.keys()
