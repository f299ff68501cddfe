""".loom input (genes x cells, loompy's layout) read as anndata.read_loom names it:
row attribute Gene as var_names, CellID as obs_names, attributes as columns;
the same node features as the same data given as an AnnData."""
import numpy as np
import pandas as pd
import pytest

from grnfast import GRNInputError
from grnfast.cli import main
from grnfast.data import DataFileError, GRNDataset, read_cell_types, read_expression

anndata = pytest.importorskip("anndata")

from test_single_cell import ENSEMBL, PRIOR, SYMBOLS, cell_types, counts_matrix  # noqa: E402


def write_loom(path, counts, row_attrs, col_attrs, layers=None, spec="3.0.0"):
    """A .loom file as loompy.create writes it: /matrix genes x cells, row_attrs,
    col_attrs, layers, the graph groups and the spec version. Strings: UTF-8 of
    variable length (spec 3), or ASCII with XML character references (spec 2)."""
    import h5py

    with h5py.File(path, "w") as f:
        chunks = tuple(min(8, n) for n in counts.shape)
        f.create_dataset("matrix", data=counts, chunks=chunks, compression="gzip")
        for group, attrs in (("row_attrs", row_attrs), ("col_attrs", col_attrs)):
            f.create_group(group)
            for name, values in attrs.items():
                values = np.asarray(values)
                if values.dtype.kind in "UO" and spec == "3.0.0":
                    f[group].create_dataset(name, data=values.astype(object), dtype=h5py.string_dtype())
                elif values.dtype.kind in "UO":
                    f[group][name] = np.array([str(v).encode("ascii", "xmlcharrefreplace") for v in values])
                else:
                    f[group][name] = values
        f.create_group("layers")
        for name, values in (layers or {}).items():
            f["layers"].create_dataset(name, data=values, chunks=chunks)
        for group in ("row_graphs", "col_graphs", "attrs"):
            f.create_group(group)
        if spec == "3.0.0":
            f["attrs"]["LOOM_SPEC_VERSION"] = spec
        else:
            f.attrs["LOOM_SPEC_VERSION"] = spec
    return path


@pytest.fixture(scope="module")
def loom(tmp_path_factory):
    counts = counts_matrix().toarray()
    path = tmp_path_factory.mktemp("loom") / "atlas.loom"
    return write_loom(path, counts.T, {"Gene": SYMBOLS, "Accession": ENSEMBL, "PCA": np.ones((len(SYMBOLS), 2))},
                      {"CellID": [f"cell{i}" for i in range(len(counts))], "cell_type": cell_types()},
                      {"log": np.log1p(counts.T).astype(np.float32)})


def as_anndata():
    counts = counts_matrix()
    obs = pd.DataFrame({"cell_type": cell_types()}, index=[f"cell{i}" for i in range(counts.shape[0])])
    return anndata.AnnData(counts, obs=obs, var=pd.DataFrame(index=SYMBOLS))


def test_a_loom_gives_what_the_same_anndata_gives(loom):
    ds = GRNDataset.from_anndata(loom, PRIOR, groupby="cell_type")
    reference = GRNDataset.from_anndata(as_anndata(), PRIOR, groupby="cell_type")
    assert list(ds.node_features.columns) == ["B cell", "T cell", "monocyte"]
    pd.testing.assert_frame_equal(ds.node_features, reference.node_features)
    assert ds.notes["expression"]["values"] == "counts" and "atlas.loom (matrix)" in ds.notes["expression"]["matrix"]


def test_layers_row_attributes_and_cell_ids(loom, tmp_path):
    log = GRNDataset.from_anndata(loom, PRIOR, layer="log", groupby="cell_type")
    assert log.notes["expression"]["values"] == "log"
    by_accession = GRNDataset.from_anndata(loom, PRIOR.replace(dict(zip(SYMBOLS, ENSEMBL))), groupby="cell_type",
                                           gene_symbols="Accession")
    assert list(by_accession.genes) == ENSEMBL[:len(by_accession.genes)]
    (tmp_path / "types.csv").write_text("cell,type\n" + "".join(f"cell{i},{t}\n" for i, t in enumerate(cell_types())))
    by_id = GRNDataset.from_anndata(loom, PRIOR, cell_types=read_cell_types(tmp_path / "types.csv"))
    np.testing.assert_array_equal(by_id.node_features.to_numpy(),
                                  GRNDataset.from_anndata(loom, PRIOR, groupby="cell_type").node_features.to_numpy())


@pytest.mark.parametrize("spec", ["3.0.0", "2.0.1"])
def test_names_outside_ascii_come_back(tmp_path, spec):
    genes = ["TF\u03b10", "G\u00e91", "G2", "G3"]
    path = write_loom(tmp_path / "u.loom", np.arange(12, dtype=np.float32).reshape(4, 3), {"Gene": genes},
                      {"CellID": ["a", "b", "c"]}, spec=spec)
    frame = read_expression(path)  # genes x cells, as a CSV would give
    assert list(frame.index) == genes and list(frame.columns) == ["a", "b", "c"]
    assert frame.loc["G2", "b"] == 7


def test_a_loom_without_gene_names_says_which_attributes_it_has(tmp_path):
    path = write_loom(tmp_path / "nogenes.loom", np.ones((4, 3), dtype=np.float32), {"Symbol": ["A", "B", "C", "D"]},
                      {"CellID": ["a", "b", "c"]})
    with pytest.raises(GRNInputError, match=r"nogenes.loom: no row attribute 'Gene' \(or 'var_names'\) with the gene "
                                            r"names; row attributes: \['Symbol'\]: pass gene_symbols="):
        read_expression(path)
    ds = GRNDataset.from_anndata(path, pd.DataFrame({"regulator": ["A", "B"], "target": ["C", "D"]}),
                                 gene_symbols="Symbol", features="expression")
    assert list(ds.genes) == ["A", "B", "C", "D"]


@pytest.mark.parametrize("kwargs, message", [
    ({"layer": "spliced"}, r"atlas.loom: has no layer 'spliced'; layers: \['log'\]"),
    ({"use_raw": True}, r"atlas.loom: a .loom file has no .raw; layers: \['log'\]"),
    ({"groupby": "louvain"}, r"no .obs column 'louvain'"),
])
def test_bad_choices_name_what_the_loom_has(loom, kwargs, message):
    with pytest.raises(GRNInputError, match=message):
        GRNDataset.from_anndata(loom, PRIOR, **kwargs)


def test_files_that_are_not_loom(tmp_path):
    (tmp_path / "text.loom").write_text("gene,c1\nA,1\n")
    with pytest.raises(DataFileError, match=r"text.loom: not a readable .loom \(HDF5\) file"):
        GRNDataset.from_anndata(tmp_path / "text.loom", PRIOR)
    as_anndata().write_h5ad(tmp_path / "anndata.loom")
    with pytest.raises(DataFileError, match="anndata.loom: no genes x cells 'matrix' in it: not a .loom file"):
        GRNDataset.from_anndata(tmp_path / "anndata.loom", PRIOR)


def test_infer_reads_a_loom(loom, tmp_path, capsys):
    PRIOR.to_csv(tmp_path / "prior.csv", index=False)
    code = main(["infer", "--expression", str(loom), "--edges", str(tmp_path / "prior.csv"), "--groupby", "cell_type",
                 "--model", "cross-encoder", "--top-k", "3", "--output", str(tmp_path / "out"), "--quiet",
                 "--epochs", "2", "--embedding-dim", "4", "--n-jobs", "1"])
    assert code == 0, capsys.readouterr().err
    network = pd.read_csv(tmp_path / "out" / "network_cross-encoder.csv")
    assert set(network["Gene1"]) <= set(PRIOR["regulator"]) and network["Gene2"].isin(SYMBOLS).all()


def test_a_loom_written_by_anndata_and_by_loompy(tmp_path, loom):
    """With loompy there (not a dependency: write_loom and read_loom need it, and
    numba with it), the real writer's file reads as the AnnData it came from, and
    anndata.read_loom reads the layout written above with the same names."""
    pytest.importorskip("loompy", reason="loompy is not installed; the layout written above with h5py is loompy's")
    adata = as_anndata()
    adata.write_loom(tmp_path / "written.loom")  # var_names, obs_names as attributes of those names
    ds = GRNDataset.from_anndata(tmp_path / "written.loom", PRIOR, groupby="cell_type")
    reference = GRNDataset.from_anndata(adata, PRIOR, groupby="cell_type")
    pd.testing.assert_frame_equal(ds.node_features, reference.node_features)
    try:
        from anndata.io import read_loom
    except ImportError:  # anndata < 0.11
        from anndata import read_loom
    read = read_loom(loom, sparse=False)
    assert list(read.var_names) == SYMBOLS and list(read.obs_names) == [f"cell{i}" for i in range(read.n_obs)]
    np.testing.assert_array_equal(read.X, counts_matrix().toarray())
    assert list(read.obs["cell_type"]) == list(cell_types())
