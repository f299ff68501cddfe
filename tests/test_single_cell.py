"""AnnData read sparse and in blocks: layers, .raw, .obs cell types, .var gene
symbols, counts normalised, log data as is, scaled data refused, species checked."""
import numpy as np
import pandas as pd
import pytest
import scipy.sparse

from grnfast import GRNInputError
from grnfast.data import GRNDataset, match_to_genes
from grnfast.data import single_cell
from grnfast.data.single_cell import DuplicateGenesWarning, cell_labels, node_features, open_cells

anndata = pytest.importorskip("anndata")

N_CELLS, N_GENES = 240, 40
SYMBOLS = [f"TF{i}" for i in range(5)] + [f"GENE{i}" for i in range(N_GENES - 5)]
ENSEMBL = [f"ENSG{i:011d}" for i in range(N_GENES)]
PRIOR = pd.DataFrame({"regulator": ["TF0", "TF0", "TF1", "TF2", "TF3", "TF4"],
                      "target": ["GENE0", "GENE1", "GENE2", "GENE3", "GENE4", "GENE5"]})


def counts_matrix(seed=0):
    rng = np.random.default_rng(seed)
    dense = rng.poisson(rng.gamma(0.5, 2.0, size=(1, N_GENES)), size=(N_CELLS, N_GENES)).astype(np.float32)
    dense[0] = 0  # a cell without counts
    return scipy.sparse.csr_matrix(dense)


def log_normalised(counts):
    dense = counts.toarray().astype(np.float64)
    totals = dense.sum(axis=1, keepdims=True)
    totals[totals == 0] = 1
    return np.log1p(dense / totals * 1e4)


def cell_types(seed=0):
    return np.array(["B cell", "T cell", "monocyte"])[np.random.default_rng(seed + 1).integers(0, 3, N_CELLS)]


def atlas_like(counts=None):
    """Raw counts in a layer, scaled values in X, cell types in .obs, Ensembl IDs as
    var_names and symbols in a .var column (the usual scanpy layout)."""
    counts = counts_matrix() if counts is None else counts
    log = log_normalised(counts)
    scaled = (log - log.mean(axis=0)) / (log.std(axis=0) + 1e-6)
    obs = pd.DataFrame({"cell_type": pd.Categorical(cell_types())}, index=[f"cell{i}" for i in range(N_CELLS)])
    var = pd.DataFrame({"symbol": SYMBOLS}, index=ENSEMBL)
    adata = anndata.AnnData(scaled.astype(np.float32), obs=obs, var=var)
    adata.layers["counts"] = counts
    adata.uns["log1p"] = {"base": None}
    return adata


def expected_means(counts):
    return pd.DataFrame(log_normalised(counts)).groupby(cell_types()).mean().T.to_numpy()


@pytest.fixture(scope="module")
def h5ad(tmp_path_factory):
    path = tmp_path_factory.mktemp("h5ad") / "atlas.h5ad"
    atlas_like().write_h5ad(path)
    return path


def test_sparse_h5ad_with_counts_in_a_layer_loads(h5ad):
    ds = GRNDataset.from_anndata(h5ad, PRIOR, layer="counts", groupby="cell_type", gene_symbols="symbol")
    assert list(ds.node_features.columns) == ["B cell", "T cell", "monocyte"]
    assert list(ds.node_features.index) == SYMBOLS
    np.testing.assert_allclose(ds.node_features.to_numpy(), expected_means(counts_matrix()), rtol=1e-5, atol=1e-5)
    assert len(ds.edges) == 6 and set(ds.regulators) == {"TF0", "TF1", "TF2", "TF3", "TF4"}
    notes = ds.notes["expression"]
    assert notes["values"] == "counts" and "library size" in notes["normalised"] and notes["cells"] == N_CELLS
    assert ds.expression is None  # the matrix is not kept
    assert ds.cell_types.index[0] == "cell0"
    report = ds.notes["match"]
    assert (report.regulators_kept, report.targets_kept, report.edges_kept) == (5, 6, 6)


def test_the_same_numbers_from_memory_in_every_storage_order(h5ad):
    from_file = GRNDataset.from_anndata(h5ad, PRIOR, layer="counts", groupby="cell_type", gene_symbols="symbol")
    adata = atlas_like()
    for layer in (adata.layers["counts"], scipy.sparse.csc_matrix(adata.layers["counts"]),
                  adata.layers["counts"].toarray()):
        adata.layers["copy"] = layer
        ds = GRNDataset.from_anndata(adata, PRIOR, layer="copy", groupby="cell_type", gene_symbols="symbol")
        np.testing.assert_allclose(ds.node_features.to_numpy(), from_file.node_features.to_numpy(), rtol=1e-5,
                                   atol=1e-6)
    assert scipy.sparse.issparse(adata.layers["counts"])  # read, never modified


def test_small_blocks_give_the_same_means(h5ad, monkeypatch):
    whole = GRNDataset.from_anndata(h5ad, PRIOR, layer="counts", groupby="cell_type", gene_symbols="symbol")
    monkeypatch.setattr(single_cell, "BLOCK_VALUES", 37)  # many blocks of a few cells
    blocked = GRNDataset.from_anndata(h5ad, PRIOR, layer="counts", groupby="cell_type", gene_symbols="symbol")
    np.testing.assert_allclose(blocked.node_features.to_numpy(), whole.node_features.to_numpy(), rtol=1e-6)


def test_scaled_x_is_refused_with_a_way_out(h5ad):
    with pytest.raises(GRNInputError, match=r"atlas.h5ad \(X\): has negative values .* use_raw=True .* layer="):
        GRNDataset.from_anndata(h5ad, PRIOR, groupby="cell_type", gene_symbols="symbol")


def test_log_data_is_used_as_is_and_uns_log1p_is_honoured():
    adata = atlas_like()
    adata.X = scipy.sparse.csr_matrix(log_normalised(adata.layers["counts"]).astype(np.float32))
    ds = GRNDataset.from_anndata(adata, PRIOR, groupby="cell_type", gene_symbols="symbol")
    assert ds.notes["expression"]["values"] == "log" and "uns['log1p']" in ds.notes["expression"]["normalised"]
    np.testing.assert_allclose(ds.node_features.to_numpy(), expected_means(adata.layers["counts"]), rtol=1e-5,
                               atol=1e-5)
    adata.X = adata.layers["counts"].copy()  # whole numbers, but uns says log1p was applied: used as stored
    ds = GRNDataset.from_anndata(adata, PRIOR, groupby="cell_type", gene_symbols="symbol")
    assert ds.notes["expression"]["values"] == "log"
    del adata.uns["log1p"]
    assert GRNDataset.from_anndata(adata, PRIOR, groupby="cell_type",
                                   gene_symbols="symbol").notes["expression"]["values"] == "counts"


def test_use_raw():
    adata = atlas_like()
    raw = adata.copy()
    raw.X = adata.layers["counts"]
    adata.raw = raw
    ds = GRNDataset.from_anndata(adata, PRIOR, use_raw=True, groupby="cell_type", gene_symbols="symbol")
    np.testing.assert_allclose(ds.node_features.to_numpy(), expected_means(adata.layers["counts"]), rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize("kwargs, message", [
    ({"layer": "spliced"}, r"no layer 'spliced'; layers: \['counts'\]"),
    ({"use_raw": True}, "has no .raw"),
    ({"layer": "counts", "use_raw": True}, "not both"),
    ({"layer": "counts", "groupby": "leiden"}, r"no .obs column 'leiden' .* \['cell_type'\]"),
    ({"layer": "counts", "gene_symbols": "name"}, r"no .var column 'name' .* \['symbol'\]"),
    ({"layer": "counts", "features": "cell_type_means"}, "needs cell types"),
    ({"layer": "counts", "groupby": "cell_type"}, "no prior edge has both genes"),  # Ensembl IDs vs symbols
])
def test_bad_choices_name_what_is_available(h5ad, kwargs, message):
    adata = atlas_like()
    for source in (h5ad, adata):
        with pytest.raises(GRNInputError, match=message):
            GRNDataset.from_anndata(source, PRIOR, **kwargs)


def test_cell_types_given_apart_are_matched_by_cell_id():
    adata = atlas_like()
    labels = pd.Series(cell_types(), index=adata.obs_names)[::-1]  # reversed order, same ids
    ds = GRNDataset.from_anndata(adata, PRIOR, layer="counts", cell_types=labels, gene_symbols="symbol")
    np.testing.assert_allclose(ds.node_features.to_numpy(), expected_means(adata.layers["counts"]), rtol=1e-5,
                               atol=1e-5)
    shifted = pd.Series(cell_types(), index=[f"other{i}" for i in range(N_CELLS)])
    with pytest.raises(GRNInputError, match=f"{N_CELLS} of {N_CELLS} cells have no label"):
        GRNDataset.from_anndata(adata, PRIOR, layer="counts", cell_types=shifted, gene_symbols="symbol")


def test_from_expression_accepts_anndata():
    adata = atlas_like()
    adata.X = adata.layers["counts"]
    adata.var_names = SYMBOLS
    del adata.uns["log1p"]
    ds = GRNDataset.from_expression(adata, PRIOR, cell_types=pd.Series(cell_types(), index=adata.obs_names))
    np.testing.assert_allclose(ds.node_features.to_numpy(), expected_means(adata.layers["counts"]), rtol=1e-5,
                               atol=1e-5)


def test_unnamed_and_duplicated_genes():
    adata = atlas_like()
    symbols = list(SYMBOLS)
    symbols[10], symbols[11] = symbols[12], None  # GENE5 (index 10) duplicates GENE7; GENE6 has no symbol
    adata.var["symbol"] = symbols
    totals = np.asarray(adata.layers["counts"].sum(axis=0)).ravel()
    with pytest.warns(DuplicateGenesWarning, match="1 genes share a name"):
        ds = GRNDataset.from_anndata(adata, PRIOR.iloc[:4], layer="counts", groupby="cell_type",
                                     gene_symbols="symbol")
    assert ds.genes.is_unique and len(ds.genes) == N_GENES - 2
    kept = 10 if totals[10] > totals[12] else 12
    row = list(ds.genes).index(SYMBOLS[12])
    np.testing.assert_allclose(ds.node_features.iloc[row].to_numpy(), expected_means(adata.layers["counts"])[kept],
                               rtol=1e-5, atol=1e-5)
    assert ds.notes["expression"]["genes_without_a_name"] == 1


@pytest.mark.parametrize("features, columns", [("clusters", 3), ("pca", 4), ("expression", N_CELLS)])
def test_other_features_from_sparse_data_are_deterministic(features, columns):
    adata = atlas_like()
    runs = [GRNDataset.from_anndata(adata, PRIOR, layer="counts", gene_symbols="symbol", features=features,
                                    n_clusters=3, n_components=4, random_state=7).node_features for _ in range(2)]
    assert runs[0].shape == (N_GENES, columns)
    pd.testing.assert_frame_equal(runs[0], runs[1])
    assert np.isfinite(runs[0].to_numpy()).all()


def test_expression_features_refuse_an_atlas(monkeypatch):
    monkeypatch.setattr(single_cell, "DENSE_LIMIT", 100)
    with pytest.raises(GRNInputError, match="features='expression' makes a dense 40 genes x 240 cells"):
        GRNDataset.from_anndata(atlas_like(), PRIOR, layer="counts", gene_symbols="symbol", features="expression")


def test_non_finite_and_empty_matrices(tmp_path):
    adata = atlas_like()
    bad = adata.layers["counts"].copy()
    bad.data[0] = np.nan
    adata.layers["bad"] = bad
    adata.layers["zero"] = scipy.sparse.csr_matrix((N_CELLS, N_GENES), dtype=np.float32)
    with pytest.raises(GRNInputError, match=r"layers\['bad'\]: 1 NaN or infinite"):
        GRNDataset.from_anndata(adata, PRIOR, layer="bad", groupby="cell_type", gene_symbols="symbol")
    with pytest.raises(GRNInputError, match="every value is zero"):
        GRNDataset.from_anndata(adata, PRIOR, layer="zero", groupby="cell_type", gene_symbols="symbol")
    with pytest.raises(GRNInputError, match="expected an AnnData or a path"):
        with open_cells(np.zeros((2, 2))):
            pass


def test_species_mismatch_says_what_was_seen():
    mouse = PRIOR.assign(regulator=PRIOR.regulator.str.capitalize(), target=PRIOR.target.str.capitalize())
    with pytest.raises(GRNInputError, match=r"differ in case: 6 of 6 prior edges .* capitalised .*mouse style, "
                                            r"e.g. Tf0.* upper case .*human style, e.g. TF0.* case_fold=True"):
        match_to_genes(mouse, SYMBOLS)
    matched, report = match_to_genes(mouse, SYMBOLS, case_fold=True)
    assert len(matched) == 6 and matched.regulator.iloc[0] == "TF0" and report.case_fold
    # a few names differing in case among many exact matches: exact matching, and the report says so
    mixed = pd.concat([PRIOR, mouse.iloc[:1]], ignore_index=True)
    mixed.loc[6, "target"] = "Gene9"
    matched, report = match_to_genes(mixed, SYMBOLS)
    assert len(matched) == 6 and report.edges_case_only == 1 and "1 more would match ignoring case" in str(report)


def test_species_mismatch_through_from_anndata(h5ad):
    mouse = PRIOR.assign(regulator=PRIOR.regulator.str.capitalize(), target=PRIOR.target.str.capitalize())
    with pytest.raises(GRNInputError, match="differ in case"):
        GRNDataset.from_anndata(h5ad, mouse, layer="counts", groupby="cell_type", gene_symbols="symbol")
    ds = GRNDataset.from_anndata(h5ad, mouse, layer="counts", groupby="cell_type", gene_symbols="symbol",
                                 case_fold=True)
    assert len(ds.edges) == 6


def test_labels_and_matrix_agree_on_cells(h5ad):
    with open_cells(h5ad, layer="counts") as (cells, obs):
        codes, names = cell_labels(cells.cells, obs, "cell_type")
        assert list(names) == ["B cell", "T cell", "monocyte"] and len(codes) == N_CELLS
        assert node_features(cells, "cell_type_means", (codes, names)).shape == (N_GENES, 3)


@pytest.mark.parametrize("storage", ["csr", "csc", "dense"])
def test_read_expression_of_a_small_h5ad_is_dense_genes_by_cells(tmp_path, storage, monkeypatch):
    from grnfast.data import DataFileError, read_expression

    counts = counts_matrix()
    matrix = {"csr": counts, "csc": scipy.sparse.csc_matrix(counts), "dense": counts.toarray()}[storage]
    adata = anndata.AnnData(matrix, obs=pd.DataFrame(index=[f"c{i}" for i in range(N_CELLS)]),
                            var=pd.DataFrame(index=SYMBOLS))
    adata.write_h5ad(tmp_path / "small.h5ad")
    frame = read_expression(tmp_path / "small.h5ad")
    assert frame.shape == (N_GENES, N_CELLS) and list(frame.index) == SYMBOLS and frame.columns[0] == "c0"
    np.testing.assert_array_equal(frame.to_numpy(), counts.toarray().T)
    monkeypatch.setattr(single_cell, "DENSE_LIMIT", 10)
    with pytest.raises(DataFileError, match="small.h5ad .* too large to read dense; use GRNDataset.from_anndata"):
        read_expression(tmp_path / "small.h5ad")


def test_a_backed_anndata_is_read_in_blocks_too(h5ad):
    from_path = GRNDataset.from_anndata(h5ad, PRIOR, layer="counts", groupby="cell_type", gene_symbols="symbol")
    adata = atlas_like()
    adata.X = adata.layers["counts"]
    del adata.uns["log1p"]
    adata.write_h5ad(h5ad.with_name("counts_in_x.h5ad"))
    backed = anndata.read_h5ad(h5ad.with_name("counts_in_x.h5ad"), backed="r")
    try:
        ds = GRNDataset.from_anndata(backed, PRIOR, groupby="cell_type", gene_symbols="symbol")
    finally:
        backed.file.close()
    np.testing.assert_allclose(ds.node_features.to_numpy(), from_path.node_features.to_numpy(), rtol=1e-6)
