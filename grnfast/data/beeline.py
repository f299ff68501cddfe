"""The BEELINE scRNA-seq benchmark as processed by GENELink: folders of expression,
regulators, genes and ground-truth edges, and the published split files.

Layout (files may be ``.csv`` or ``.csv.gz``)::

    <root>/<GT> Dataset/<cell>/TFs+<N>/BL--ExpressionData.csv   genes x cells
                                       TF.csv, Target.csv        names and row indices
                                       BL--network.csv           Gene1,Gene2 edges
    <splits>/<GT>/<cell> <N>/sample<k>/{Train,Validation,Test}_set.csv
                                       ",TF,Target,Label" row indices into that folder's expression

``<GT>`` is ``Specific``, ``Non-Specific`` or ``STRING``. Row orders differ
between GT folders of the same cell, so everything here is aligned by gene name.
"""
import hashlib
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import GRNInputError
from .dataset import GRNDataset, node_features_from
from .download import DownloadError, download_file
from .expression import check_expression
from .files import DataFileError, index_column, read_table, require_columns, require_rows
from .splits import PairSplit

NETWORKS = ("Specific", "Non-Specific", "STRING")
DEMO = "GENELink-demo"  # GENELink's demonstration split: Specific, mESC, TFs+500
# GENELink's repository at a fixed commit (main's last, 2 Sep 2022; the benchmark
# files last changed in b03aede), never a branch whose content could move.
GENELINK_COMMIT = "4eb816af27f5fe0cb26f9230286401801b251129"
GENELINK_ARCHIVE = f"https://github.com/zpliulab/GENELink/archive/{GENELINK_COMMIT}.zip"
# The archive's sha256 is not known: no copy of it could be downloaded where this was
# written, and GitHub builds archives on request without promising the same bytes
# (its compression changed once). pooch checks it when set; what is checked in any
# case is the unpacked benchmark, against its git tree id at the commit:
GENELINK_ARCHIVE_SHA256 = None
# `git rev-parse 4eb816af27f5fe0cb26f9230286401801b251129:"Dataset/Benchmark Dataset"`
# in a clone of zpliulab/GENELink (220 files; the .csv files under ../shared/data,
# uncompressed, have the same git blob ids)
BENCHMARK_TREE = "6cf1fafcb1ab76b668023b28f6a5a689b5c10df1"


def _file(folder, name):
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.exists():
            return candidate
    raise DataFileError(f"{folder / name}: no such file (nor .gz)")


def _benchmark_root(root):
    """The folder holding '<GT> Dataset' folders: <root>/beeline, the GENELink
    repository's 'Dataset/Benchmark Dataset', or root itself."""
    root = Path(root)
    for candidate in (root / "beeline", root / "Dataset" / "Benchmark Dataset", root):
        if any((candidate / f"{gt} Dataset").is_dir() for gt in NETWORKS):
            return candidate
    raise DataFileError(f"{root}: no BEELINE benchmark folders ('Specific Dataset', ...) found")


def beeline_folder(root, network, cell, n_genes):
    if network not in NETWORKS:
        raise GRNInputError(f"unknown ground truth {network!r}; choose one of {NETWORKS}")
    folder = _benchmark_root(root) / f"{network} Dataset" / cell / f"TFs+{n_genes}"
    if not folder.is_dir():
        raise DataFileError(f"{folder}: no such benchmark folder")
    return folder


def _read_csv(path, required, **kwargs):
    return require_rows(require_columns(read_table(path, sep=",", **kwargs), required, path), path)


def load_beeline(root, network="Specific", cell="mESC", n_genes=500, features="expression", random_state=0):
    """One benchmark folder as a :class:`GRNDataset`.

    ``features``: ``"expression"`` (each gene's profile over the cells, as GENELink
    uses), ``"pca"`` or ``"clusters"`` (see :func:`node_features_from`).
    """
    folder = beeline_folder(root, network, cell, n_genes)
    expression_path = _file(folder, "BL--ExpressionData.csv")
    expression = check_expression(read_table(expression_path, sep=",", index_col=0), expression_path)
    tf_path = _file(folder, "TF.csv")
    tfs = _read_csv(tf_path, ["TF"])["TF"].astype(str)
    network_path = _file(folder, "BL--network.csv")
    edges = _read_csv(network_path, ["Gene1", "Gene2"], dtype=str)
    edges = edges.rename(columns={"Gene1": "regulator", "Gene2": "target"})[["regulator", "target"]]
    if edges.isna().any().any():
        raise DataFileError(f"{network_path}: {int(edges.isna().any(axis=1).sum())} edges with a missing gene name")
    absent = sorted(set(edges["regulator"]).union(edges["target"]) - set(expression.index))
    if absent:
        raise DataFileError(f"{network_path}: {len(absent)} genes absent from the expression file, e.g. {absent[:5]}")
    regulators = pd.Index(tfs[tfs.isin(expression.index)].unique())
    if not len(regulators):
        raise DataFileError(f"{tf_path}: none of its {tfs.nunique()} TFs is a gene of {expression_path} (e.g. "
                            f"{tfs.iloc[0]!r} there, {expression.index[0]!r} here): files of two data sets?")
    unlisted = sorted(set(edges["regulator"]) - set(regulators))
    if unlisted:
        raise DataFileError(f"{network_path}: {len(unlisted)} regulators of known edges are not in {tf_path}, e.g. "
                            f"{unlisted[:5]}: the TF list must name every regulator of the network")
    node_features = node_features_from(expression, features, random_state=random_state)
    name = f"{network} {cell} {n_genes}"
    return GRNDataset(name, node_features, edges.drop_duplicates().reset_index(drop=True), regulators, expression,
                      None, {"folder": str(folder)})


def split_folder(splits_root, network, cell, n_genes, sample=1):
    splits_root = Path(splits_root)
    if network == DEMO:
        folder = splits_root / DEMO / f"{cell} {n_genes}"
    else:
        folder = splits_root / network / f"{cell} {n_genes}" / f"sample{sample}"
    if not folder.is_dir():
        raise DataFileError(f"{folder}: no such split folder")
    return folder


def load_published_split(root, network="Specific", cell="mESC", n_genes=500, sample=1, splits_root=None):
    """The published Train/Validation/Test files of one benchmark as a
    :class:`PairSplit` of gene names (row indices resolved through the matching
    expression file). ``network="GENELink-demo"`` reads GENELink's demo split
    (Specific mESC 500)."""
    splits_root = Path(splits_root) if splits_root else Path(root) / "beeline-splits"
    folder = split_folder(splits_root, network, cell, n_genes, sample)
    data_network = "Specific" if network == DEMO else network
    expression = _file(beeline_folder(root, data_network, cell, n_genes), "BL--ExpressionData.csv")
    genes = read_table(expression, sep=",", index_col=0, usecols=[0]).index.astype(str).to_numpy()
    parts = []
    for part in ("Train", "Validation", "Test"):
        path = _file(folder, f"{part}_set.csv")
        table = _read_csv(path, ["TF", "Target", "Label"], index_col=0)
        regulators, targets = (index_column(table, column, path, len(genes)) for column in ("TF", "Target"))
        labels = index_column(table, "Label", path)
        if not np.isin(labels, (0, 1)).all():
            raise DataFileError(f"{path}: column 'Label' must hold 0 or 1, found {sorted(set(labels.tolist()))[:5]}")
        parts.append(pd.DataFrame({"regulator": genes[regulators], "target": genes[targets], "label": labels}))
    return PairSplit(*parts, kind=f"published ({network} {cell} {n_genes}, sample {sample})")


def available_benchmarks(root, splits_root=None):
    """(network, cell, n_genes) of every benchmark with published split files."""
    splits_root = Path(splits_root) if splits_root else Path(root) / "beeline-splits"
    found = []
    for network in NETWORKS:
        for folder in sorted((splits_root / network).glob("* *")):
            cell, n = folder.name.rsplit(" ", 1)
            found.append((network, cell, int(n)))
    return found


def fetch_beeline(data_home=None, download=True, timeout=60.0, retries=2, progress=False):
    """Where the BEELINE benchmark lives, downloading it once if needed.

    Looks in order at ``data_home``, the ``GRNFAST_DATA`` environment variable and
    ``~/grnfast_data``; a folder that already holds the benchmark (this package's
    layout or GENELink's) is used as it is. Otherwise GENELink's public repository
    archive is downloaded there (``timeout`` seconds per connect or read,
    ``retries`` further attempts a second apart, said on stderr with
    ``progress``, all of them within ``timeout * (retries + 1) + retries`` seconds, then a
    :class:`DownloadError` naming the URL) at the commit ``GENELINK_COMMIT``, and
    its ``Dataset/Benchmark Dataset`` unpacked to ``beeline/`` once its content
    is checked against that commit's (a :class:`DataFileError` otherwise).
    Returns the root to pass to :func:`load_beeline`.
    """
    home = Path(data_home or os.environ.get("GRNFAST_DATA") or Path.home() / "grnfast_data").expanduser()
    try:
        _benchmark_root(home)
        return home
    except DataFileError:
        if not download:
            raise
    archive = home / "GENELink.zip"
    try:
        known = f"sha256:{GENELINK_ARCHIVE_SHA256}" if GENELINK_ARCHIVE_SHA256 else None
        download_file(GENELINK_ARCHIVE, archive, known_hash=known, timeout=timeout, retries=retries,
                      what="the BEELINE benchmark (GENELink's repository archive)", progress=progress)
    except DownloadError as exc:
        raise DownloadError(f"{exc}; download GENELink's 'Dataset/Benchmark Dataset' by hand and pass its folder as "
                            "data_home") from None
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.namelist() if "/Dataset/Benchmark Dataset/" in m]
            zf.extractall(home / "extract", members)
    except zipfile.BadZipFile as exc:
        archive.unlink()
        raise DataFileError(f"{archive}: the downloaded archive is not a valid zip file ({exc}); try again") from None
    source = next((home / "extract").glob("*/Dataset/Benchmark Dataset"), None)
    tree = git_tree_id(source) if source is not None else None
    if tree != BENCHMARK_TREE:
        shutil.rmtree(home / "extract")
        archive.unlink()
        found = "no 'Dataset/Benchmark Dataset' folder" if source is None else f"git tree {tree}"
        raise DataFileError(f"{GENELINK_ARCHIVE}: the downloaded archive holds {found}, not GENELink's benchmark "
                            f"at commit {GENELINK_COMMIT[:12]} (git tree {BENCHMARK_TREE}): a changed or corrupt "
                            "download; try again")
    shutil.move(str(source), str(home / "beeline"))
    shutil.rmtree(home / "extract")
    archive.unlink()
    return home


def git_tree_id(folder):
    """The git tree id of the files under ``folder`` (all mode 100644), as
    ``git rev-parse COMMIT:PATH`` prints it for a folder of the same content."""
    entries = []
    for child in Path(folder).iterdir():
        name = child.name.encode()
        if child.is_dir():
            # git sorts a folder as if its name ended in "/"
            entries.append((name + b"/", b"40000 " + name + b"\0" + bytes.fromhex(git_tree_id(child))))
        else:
            data = child.read_bytes()
            blob = hashlib.sha1(b"blob %d\0" % len(data) + data).digest()
            entries.append((name, b"100644 " + name + b"\0" + blob))
    body = b"".join(entry for _, entry in sorted(entries))
    return hashlib.sha1(b"tree %d\0" % len(body) + body).hexdigest()
