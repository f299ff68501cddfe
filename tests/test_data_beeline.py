"""The real BEELINE / GENELink data and TRRUST load, align by name, and bad files
fail with the file and the problem named."""
import gzip
import re
import shutil
import subprocess
import zipfile

import numpy as np
import pandas as pd
import pooch
import pytest
from test_prior_databases import local_server  # noqa: F401 (a fixture)

from grnfast.data import (
    DataFileError,
    DownloadError,
    available_benchmarks,
    fetch_beeline,
    load_beeline,
    load_published_split,
    match_to_genes,
    read_prior,
)
from grnfast.data import beeline
from grnfast.data.priors import LowOverlapWarning

CELLS = [("hHEP", 500), ("hHEP", 1000), ("mDC", 500), ("mDC", 1000), ("mESC", 500)]


@pytest.mark.parametrize("network", ["Specific", "Non-Specific", "STRING"])
@pytest.mark.parametrize("cell, n", CELLS)
def test_every_benchmark_loads(shared_data, network, cell, n):
    ds = load_beeline(shared_data, network, cell, n)
    summary = ds.summary()
    assert summary["genes"] > n and summary["edges"] > 0 and 0 < len(ds.regulators) < summary["genes"]
    assert ds.edges["regulator"].isin(ds.genes).all() and ds.edges["target"].isin(ds.genes).all()


@pytest.mark.parametrize("cell, n", CELLS)
def test_ground_truth_folders_align_by_gene_name(shared_data, cell, n):
    frames = [load_beeline(shared_data, gt, cell, n).node_features for gt in ("Specific", "Non-Specific", "STRING")]
    assert all(set(f.index) == set(frames[0].index) for f in frames)
    for other in frames[1:]:  # rows are in a different order in each folder; values agree by name
        assert not np.array_equal(other.index, frames[0].index) or cell == "mESC"
        np.testing.assert_array_equal(other.loc[frames[0].index].to_numpy(), frames[0].to_numpy())


def test_published_splits_have_the_file_counts_and_prevalence(shared_data):
    assert len(available_benchmarks(shared_data)) == 15
    for network, cell, n in available_benchmarks(shared_data):
        for sample in (1, 5):
            split = load_published_split(shared_data, network, cell, n, sample)
            folder = shared_data / "beeline-splits" / network / f"{cell} {n}" / f"sample{sample}"
            for part, frame in (("Train", split.train), ("Validation", split.validation), ("Test", split.test)):
                raw = pd.read_csv(folder / f"{part}_set.csv.gz", index_col=0)
                assert len(frame) == len(raw) and frame["label"].sum() == raw["Label"].sum()
            prevalence = split.report()["test"]["prevalence"]
            # Specific: every non-target of a regulator is a negative (4-35% edges here);
            # STRING / Non-Specific: random pairs at the network's density (1-4%).
            assert (0.03 < prevalence < 0.4) if network == "Specific" else (0.01 < prevalence < 0.04)
            ds = load_beeline(shared_data, network, cell, n)
            known = set(zip(ds.edges.regulator, ds.edges.target))
            positives = split.test[split.test.label == 1]
            assert all(pair in known for pair in zip(positives.regulator, positives.target))


def test_genelink_demo_split(shared_data):
    demo = load_published_split(shared_data, "GENELink-demo", "mESC", 500)
    assert demo.report()["train"]["edges"] == 19803
    known = set(zip(*load_beeline(shared_data, "Specific", "mESC", 500).edges[["regulator", "target"]].T.to_numpy()))
    assert all(p in known for p in zip(demo.train.regulator[demo.train.label == 1], demo.train.target[demo.train.label == 1]))


def test_trrust_joins_hhep_expression(shared_data):
    trrust = read_prior(shared_data / "priors" / "trrust_rawdata.human.tsv")
    assert len(trrust) == 9396 and len(trrust.drop_duplicates(["regulator", "target"])) == 8427
    assert trrust.regulator.nunique() == 795
    genes = load_beeline(shared_data, "STRING", "hHEP", 1000).genes
    with pytest.warns(LowOverlapWarning, match="match the expression genes"):
        matched, report = match_to_genes(trrust, genes)
    assert report.rows_matched == 626  # TRRUST rows with both genes measured
    assert report.edges_kept == len(matched) == 556  # distinct, without self-loops
    assert matched.regulator.isin(genes).all() and matched.target.isin(genes).all()


def test_fetch_uses_a_local_copy_without_downloading(shared_data, monkeypatch):
    assert fetch_beeline(shared_data, download=False) == shared_data
    monkeypatch.setenv("GRNFAST_DATA", str(shared_data))
    assert fetch_beeline(download=False) == shared_data


def test_fetch_without_data_and_without_download_says_so(tmp_path):
    with pytest.raises(DataFileError, match="no BEELINE benchmark folders"):
        fetch_beeline(tmp_path, download=False)


# ---- the download, pinned and checked (a server on 127.0.0.1, never the network) --

def test_the_archive_is_pinned_to_a_commit():
    assert re.fullmatch(r"https://github\.com/zpliulab/GENELink/archive/[0-9a-f]{40}\.zip", beeline.GENELINK_ARCHIVE)
    assert beeline.GENELINK_COMMIT in beeline.GENELINK_ARCHIVE
    assert re.fullmatch(r"[0-9a-f]{40}", beeline.BENCHMARK_TREE)


@pytest.fixture
def served_archive(local_server, tmp_path, monkeypatch):  # noqa: F811 (the imported fixture)
    """GENELink's archive layout holding a four-gene benchmark, served at the pinned URL's place."""
    from test_bad_files import mini_benchmark

    served, url = local_server
    mini_benchmark(tmp_path / "made")
    content = tmp_path / "made" / "beeline"
    with zipfile.ZipFile(served / "GENELink.zip", "w") as zf:
        for path in sorted(content.rglob("*.csv")):
            zf.write(path, f"GENELink-{beeline.GENELINK_COMMIT}/Dataset/Benchmark Dataset/{path.relative_to(content)}")
    monkeypatch.setattr(beeline, "GENELINK_ARCHIVE", f"{url}/GENELink.zip")
    return served / "GENELink.zip", content


def test_a_download_with_the_wrong_checksum_is_refused(served_archive, tmp_path, monkeypatch):
    monkeypatch.setattr(beeline, "GENELINK_ARCHIVE_SHA256", "0" * 64)
    with pytest.raises(DownloadError, match=r"GENELink's repository archive\) from http://127\.0\.0\.1.*hash"):
        fetch_beeline(tmp_path / "home", retries=0)
    assert not (tmp_path / "home" / "beeline").exists() and not (tmp_path / "home" / "GENELink.zip").exists()


def test_the_unpacked_benchmark_must_be_the_pinned_commits(served_archive, tmp_path, monkeypatch):
    archive, content = served_archive
    with pytest.raises(DataFileError, match=r"GENELink\.zip: the downloaded archive holds git tree [0-9a-f]{40}, not "
                                            r"GENELink's benchmark at commit 4eb816af27f5"):
        fetch_beeline(tmp_path / "home", retries=0)
    assert sorted(p.name for p in (tmp_path / "home").iterdir()) == []  # neither the archive nor a half folder
    monkeypatch.setattr(beeline, "BENCHMARK_TREE", beeline.git_tree_id(content))
    monkeypatch.setattr(beeline, "GENELINK_ARCHIVE_SHA256", pooch.file_hash(str(archive)))
    home = fetch_beeline(tmp_path / "home", retries=0)
    assert load_beeline(home, "Specific", "mESC", 500).summary()["genes"] == 4


@pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command to compare with")
def test_git_tree_id_is_gits(tmp_path):
    from test_bad_files import mini_benchmark

    mini_benchmark(tmp_path)
    (tmp_path / "beeline" / "a b.csv").write_bytes(b"\x00binary\n")

    def run(*args):
        return subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True,
                              text=True).stdout.strip()

    run("init", "-q")
    run("add", "beeline")
    run("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "t")
    assert beeline.git_tree_id(tmp_path / "beeline") == run("rev-parse", "HEAD:beeline")


# ---- bad files ------------------------------------------------------------------

@pytest.fixture
def folder_copy(shared_data, tmp_path):
    source = shared_data / "beeline" / "Specific Dataset" / "mESC" / "TFs+500"
    target = tmp_path / "beeline" / "Specific Dataset" / "mESC" / "TFs+500"
    shutil.copytree(source, target)
    return tmp_path, target


def _rewrite(path, text):
    with gzip.open(path, "wt") as f:
        f.write(text)


def test_missing_column(folder_copy):
    root, folder = folder_copy
    _rewrite(folder / "BL--network.csv.gz", "Source,Gene2\nA,B\n")
    with pytest.raises(DataFileError, match=r"BL--network.csv.gz: missing columns \['Gene1'\]"):
        load_beeline(root)


def test_wrong_delimiter(folder_copy):
    root, folder = folder_copy
    text = gzip.open(folder / "BL--ExpressionData.csv.gz", "rt").read().replace(",", ";")
    _rewrite(folder / "BL--ExpressionData.csv.gz", text)
    with pytest.raises(DataFileError, match="BL--ExpressionData.csv.gz: no cell columns"):
        load_beeline(root)


def test_empty_file(folder_copy):
    root, folder = folder_copy
    _rewrite(folder / "TF.csv.gz", "")
    with pytest.raises(DataFileError, match="TF.csv.gz: the file is empty"):
        load_beeline(root)


def test_genes_absent_from_expression(folder_copy):
    root, folder = folder_copy
    _rewrite(folder / "BL--network.csv.gz", "Gene1,Gene2\nNOT_A_GENE,BMI1\n")
    with pytest.raises(DataFileError, match="BL--network.csv.gz: 1 genes absent from the expression file"):
        load_beeline(root)


def test_a_tf_list_naming_none_of_the_genes_says_so(folder_copy):
    root, folder = folder_copy
    _rewrite(folder / "TF.csv.gz", "index,TF\n0,NOT_A_TF1\n1,NOT_A_TF2\n")  # another data set's TFs
    with pytest.raises(DataFileError, match=r"TF.csv.gz: none of its 2 TFs is a gene of .*BL--ExpressionData.csv.gz "
                                            r"\(e.g. 'NOT_A_TF1' there, '\w+' here\): files of two data sets\?"):
        load_beeline(root)


def test_a_network_regulator_missing_from_the_tf_list_is_named(folder_copy):
    root, folder = folder_copy
    tfs = pd.read_csv(folder / "TF.csv.gz")
    network = pd.read_csv(folder / "BL--network.csv.gz")
    dropped = network.Gene1.iloc[0]
    _rewrite(folder / "TF.csv.gz", tfs[tfs.TF != dropped].to_csv(index=False))
    with pytest.raises(DataFileError, match=rf"BL--network.csv.gz: 1 regulators of known edges are not in .*TF.csv.gz, "
                                            rf"e.g. \['{dropped}'\]: the TF list must name every regulator"):
        load_beeline(root)


def test_duplicated_gene_names(folder_copy):
    root, folder = folder_copy
    lines = gzip.open(folder / "BL--ExpressionData.csv.gz", "rt").read().splitlines()
    _rewrite(folder / "BL--ExpressionData.csv.gz", "\n".join(lines + [lines[1]]) + "\n")
    with pytest.raises(DataFileError, match=r"BL--ExpressionData.csv.gz: duplicated gene names \['BMI1'\]"):
        load_beeline(root)


def test_bad_prior_files(tmp_path):
    (tmp_path / "empty.tsv").write_text("")
    with pytest.raises(DataFileError, match="empty.tsv: the file is empty"):
        read_prior(tmp_path / "empty.tsv")
    (tmp_path / "cols.csv").write_text("a,b\nx,y\n")
    with pytest.raises(DataFileError, match="cols.csv: needs a regulator column"):
        read_prior(tmp_path / "cols.csv")
    with pytest.raises(DataFileError, match="missing.tsv: no such file"):
        read_prior(tmp_path / "missing.tsv")
    (tmp_path / "dorothea.csv").write_text("source,target,confidence,mor\nSOX2,NANOG,A,1\nsox2,POU5F1,B,-1\n")
    table = read_prior(tmp_path / "dorothea.csv")
    assert list(table.columns) == ["regulator", "target", "weight", "sign"]
    with pytest.raises(ValueError, match="differ in case: 2 of 2 prior edges .* upper case .* capitalised"):
        match_to_genes(table, ["Sox2", "Nanog", "Pou5f1"])  # human-style prior, mouse-style genes
    matched, report = match_to_genes(table, ["Sox2", "Nanog", "Pou5f1"], case_fold=True)
    assert report.case_fold and "matched ignoring case" in str(report)
    assert matched[["regulator", "target"]].values.tolist() == [["Sox2", "Nanog"], ["Sox2", "Pou5f1"]]
    with pytest.raises(ValueError, match="no prior edge has both genes"):
        match_to_genes(table, ["GAPDH"])
