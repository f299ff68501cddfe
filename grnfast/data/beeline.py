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
import os
import shutil
import urllib.request
import zipfile
from pathlib import Path

import pandas as pd

from .dataset import GRNDataset, node_features_from
from .expression import DataFileError, check_expression
from .splits import PairSplit

NETWORKS = ("Specific", "Non-Specific", "STRING")
DEMO = "GENELink-demo"  # GENELink's demonstration split: Specific, mESC, TFs+500
GENELINK_ARCHIVE = "https://github.com/zpliulab/GENELink/archive/refs/heads/{branch}.zip"


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
        raise ValueError(f"unknown ground truth {network!r}; choose one of {NETWORKS}")
    folder = _benchmark_root(root) / f"{network} Dataset" / cell / f"TFs+{n_genes}"
    if not folder.is_dir():
        raise DataFileError(f"{folder}: no such benchmark folder")
    return folder


def _read_csv(path, required, **kwargs):
    try:
        table = pd.read_csv(path, **kwargs)
    except pd.errors.EmptyDataError:
        raise DataFileError(f"{path}: the file is empty") from None
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise DataFileError(f"{path}: missing columns {missing} (found {list(table.columns)[:6]})")
    return table


def load_beeline(root, network="Specific", cell="mESC", n_genes=500, features="expression", random_state=0):
    """One benchmark folder as a :class:`GRNDataset`.

    ``features``: ``"expression"`` (each gene's profile over the cells, as GENELink
    uses), ``"pca"`` or ``"clusters"`` (see :func:`node_features_from`).
    """
    folder = beeline_folder(root, network, cell, n_genes)
    expression = check_expression(pd.read_csv(_file(folder, "BL--ExpressionData.csv"), index_col=0),
                                  _file(folder, "BL--ExpressionData.csv"))
    tfs = _read_csv(_file(folder, "TF.csv"), ["TF"])["TF"].astype(str)
    network_path = _file(folder, "BL--network.csv")
    edges = _read_csv(network_path, ["Gene1", "Gene2"]).rename(columns={"Gene1": "regulator", "Gene2": "target"})
    edges = edges[["regulator", "target"]].astype(str)
    absent = sorted(set(edges["regulator"]).union(edges["target"]) - set(expression.index))
    if absent:
        raise DataFileError(f"{network_path}: {len(absent)} genes absent from the expression file, e.g. {absent[:5]}")
    node_features = node_features_from(expression, features, random_state=random_state)
    name = f"{network} {cell} {n_genes}"
    return GRNDataset(name, node_features, edges.drop_duplicates().reset_index(drop=True),
                      pd.Index(tfs[tfs.isin(expression.index)].unique()), expression, None,
                      {"folder": str(folder)})


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
    genes = pd.read_csv(expression, index_col=0, usecols=[0]).index.astype(str).to_numpy()
    parts = []
    for part in ("Train", "Validation", "Test"):
        path = _file(folder, f"{part}_set.csv")
        table = _read_csv(path, ["TF", "Target", "Label"], index_col=0)
        if table[["TF", "Target"]].to_numpy().max() >= len(genes) or table[["TF", "Target"]].to_numpy().min() < 0:
            raise DataFileError(f"{path}: row indices outside the {len(genes)} genes of {expression}")
        parts.append(pd.DataFrame({"regulator": genes[table["TF"]], "target": genes[table["Target"]],
                                   "label": table["Label"].astype(int).to_numpy()}))
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


def fetch_beeline(data_home=None, download=True):
    """Where the BEELINE benchmark lives, downloading it once if needed.

    Looks in order at ``data_home``, the ``GRNFAST_DATA`` environment variable and
    ``~/grnfast_data``; a folder that already holds the benchmark (this package's
    layout or GENELink's) is used as it is. Otherwise GENELink's public repository
    archive is downloaded there and its ``Dataset/Benchmark Dataset`` unpacked to
    ``beeline/``. Returns the root to pass to :func:`load_beeline`.
    """
    home = Path(data_home or os.environ.get("GRNFAST_DATA") or Path.home() / "grnfast_data").expanduser()
    try:
        _benchmark_root(home)
        return home
    except DataFileError:
        if not download:
            raise
    home.mkdir(parents=True, exist_ok=True)
    archive = home / "GENELink.zip"
    for branch in ("main", "master"):
        try:
            urllib.request.urlretrieve(GENELINK_ARCHIVE.format(branch=branch), archive)
            break
        except OSError as exc:
            error = exc
    else:
        raise ConnectionError(f"could not download the BEELINE benchmark ({error}); download GENELink's "
                              f"'Dataset/Benchmark Dataset' by hand and pass its folder as data_home")
    with zipfile.ZipFile(archive) as zf:
        members = [m for m in zf.namelist() if "/Dataset/Benchmark Dataset/" in m]
        zf.extractall(home / "extract", members)
    source = next((home / "extract").glob("*/Dataset/Benchmark Dataset"))
    shutil.move(str(source), str(home / "beeline"))
    shutil.rmtree(home / "extract")
    archive.unlink()
    return home
