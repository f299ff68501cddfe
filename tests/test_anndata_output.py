"""Results written back into AnnData: the edge table and parameters in uns, the
model's gene embeddings in varm, and all of it read back from an .h5ad file."""
import json

import numpy as np
import pandas as pd
import pytest
import scipy.sparse

from grnfast import CrossEncoderClassifier, GRNInputError
from grnfast.data import GRNDataset
from grnfast.data.anndata_output import add_to_anndata, write_h5ad_copy
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


# ---- --write-h5ad: the file copied, only the new entries written ----------------

def has_text(dtype):
    return dtype.kind in "UO" or any(has_text(dtype[name]) for name in dtype.names or ())


def assert_same_anndata(left, right):
    """Same uns (nested), varm, obs, var and matrices, as anndata reads them."""
    def same(a, b, where):
        if isinstance(a, dict):
            assert isinstance(b, dict) and sorted(a) == sorted(b), where
            for k in a:
                same(a[k], b[k], f"{where}/{k}")
        elif isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b, obj=where)
        elif scipy.sparse.issparse(a):
            assert scipy.sparse.issparse(b) and a.format == b.format and (a != b).nnz == 0, where
        else:
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=where)
            # text read from an older layout is <U, the same text rewritten by anndata object
            if not (has_text(np.asarray(a).dtype) and has_text(np.asarray(b).dtype)):
                assert np.asarray(a).dtype == np.asarray(b).dtype, where
    same(dict(left.uns), dict(right.uns), "uns")
    same(dict(left.varm), dict(right.varm), "varm")
    same(dict(left.layers), dict(right.layers), "layers")
    pd.testing.assert_frame_equal(left.obs, right.obs)
    pd.testing.assert_frame_equal(left.var, right.var)
    same(left.X, right.X, "X")


def read(path):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # anndata's notes on an older layout
        return anndata.read_h5ad(path)


def in_memory(source, target, networks, models, gene_symbols):
    """The path --write-h5ad took before: the whole file read, the entries added, written."""
    adata = read(source)
    for name, edges in networks.items():
        add_to_anndata(adata, edges, model=models[name], gene_symbols=gene_symbols, name=name)
    adata.write_h5ad(target)


def compare(source, tmp_path, networks, models, gene_symbols="symbol"):
    in_memory(source, tmp_path / "memory.h5ad", networks, models, gene_symbols)
    assert write_h5ad_copy(source, tmp_path / "streamed.h5ad", networks, models, gene_symbols) == \
        tmp_path / "streamed.h5ad"
    streamed = read(tmp_path / "streamed.h5ad")
    assert_same_anndata(streamed, read(tmp_path / "memory.h5ad"))
    return streamed


@pytest.mark.parametrize("storage", ["csr", "csc", "dense"])
def test_the_streamed_copy_reads_as_the_in_memory_one(fitted, tmp_path, storage):
    adata, model, edges = fitted
    adata = adata.copy()
    adata.X = adata.layers["counts"].asformat(storage) if storage != "dense" else adata.layers["counts"].toarray()
    adata.write_h5ad(tmp_path / "source.h5ad")
    # whatever columns the edge table has are written (a sign column beside the weight)
    signed = edges.assign(sign=np.where(np.arange(len(edges)) % 2, 1, -1).astype(np.int8))
    streamed = compare(tmp_path / "source.h5ad", tmp_path, {"cross-encoder": signed, "plain": edges},
                       {"cross-encoder": model, "plain": model})
    assert list(streamed.uns["grnfast"]["cross-encoder"]["edges"].columns) == list(signed.columns)
    assert sorted(streamed.varm) == ["grnfast_cross-encoder_embedding", "grnfast_plain_embedding"]


def test_earlier_results_in_the_source_are_kept_or_replaced_by_name(fitted, tmp_path):
    adata, model, edges = fitted
    adata = adata.copy()
    add_to_anndata(adata, edges.head(2), model=model, gene_symbols="symbol", name="earlier")
    add_to_anndata(adata, edges.head(1), model=model, gene_symbols="symbol", name="again")
    adata.varm["X_pca_loadings"] = np.ones((adata.n_vars, 2))
    adata.write_h5ad(tmp_path / "source.h5ad")
    streamed = compare(tmp_path / "source.h5ad", tmp_path, {"again": edges}, {"again": model})
    assert len(streamed.uns["grnfast"]["earlier"]["edges"]) == 2
    assert len(streamed.uns["grnfast"]["again"]["edges"]) == len(edges)
    assert "X_pca_loadings" in streamed.varm


def test_an_older_layout_file_with_varm(fitted, tmp_path):
    """anndata's layout before 0.7 (scanpy's bundled data sets): varm a compound
    dataset, turned into a group of the same tables beside the new ones."""
    import h5py

    from test_mistakes import old_layout_h5ad

    _, model, edges = fitted
    counts = np.random.default_rng(0).poisson(2.0, (60, len(SYMBOLS))).astype(float)
    old_layout_h5ad(tmp_path / "old.h5ad", counts, [f"c{i}" for i in range(60)], SYMBOLS, ["A", "B", "C"] * 20)
    with h5py.File(tmp_path / "old.h5ad", "r+") as f:
        varm = np.zeros(len(SYMBOLS), dtype=[("PCs", "<f8", (3,))])
        varm["PCs"] = np.arange(len(SYMBOLS) * 3).reshape(-1, 3)
        f["varm"] = varm
        f["uns"]["cell_type_colors"] = np.array(["#1f77b4", "#ff7f0e", "#279e68"], dtype="S")
    streamed = compare(tmp_path / "old.h5ad", tmp_path, {"m": edges}, {"m": model}, gene_symbols=None)
    assert sorted(streamed.varm) == ["PCs", "grnfast_m_embedding"]
    assert list(streamed.obs["cell_type"].cat.categories) == ["A", "B", "C"]
    assert list(streamed.uns["cell_type_colors"]) == ["#1f77b4", "#ff7f0e", "#279e68"]


def test_write_h5ad_copy_refuses_its_source_and_files_that_are_not_h5ad(fitted, tmp_path):
    import h5py

    adata, model, edges = fitted
    adata.write_h5ad(tmp_path / "source.h5ad")
    args = ({"m": edges}, {"m": model}, "symbol")
    with pytest.raises(GRNInputError, match="source.h5ad is the input file itself; give a new path"):
        write_h5ad_copy(tmp_path / "source.h5ad", tmp_path / "." / "source.h5ad", *args)
    (tmp_path / "table.csv").write_text("gene,c1\nA,1\n")
    with pytest.raises(GRNInputError, match=r"table.csv: not a readable .h5ad \(AnnData HDF5\) file"):
        write_h5ad_copy(tmp_path / "table.csv", tmp_path / "out.h5ad", *args)
    from test_loom_input import write_loom

    write_loom(tmp_path / "cells.loom", np.ones((len(SYMBOLS), 3), dtype=np.float32), {"Gene": SYMBOLS}, {})
    with pytest.raises(GRNInputError, match=r"cells.loom: a .loom file; the results are written into a copy of an "
                                            r"\.h5ad \(make one with anndata's read_loom"):
        write_h5ad_copy(tmp_path / "cells.loom", tmp_path / "out.h5ad", *args)
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["data"] = np.ones(3)
    with pytest.raises(GRNInputError, match=r"other.h5: not an AnnData .h5ad file \(no obs and var; it has \['data'\]"):
        write_h5ad_copy(tmp_path / "other.h5", tmp_path / "out.h5ad", *args)
    with pytest.raises(GRNInputError, match="missing.h5ad: no such file"):
        write_h5ad_copy(tmp_path / "missing.h5ad", tmp_path / "out.h5ad", *args)
    with pytest.raises(GRNInputError, match="no .var column 'symbol ' for gene_symbols"):
        write_h5ad_copy(tmp_path / "source.h5ad", tmp_path / "out.h5ad", {"m": edges}, {"m": model}, "symbol ")
    assert not list(tmp_path.glob("*out.h5ad"))  # nothing half-written
