"""Public prior networks by name: TRRUST, DoRothEA and CollecTRI, downloaded once
into a cache folder, checked against a checksum, and read into the edge table
:func:`grnfast.data.read_prior` gives (regulator, target[, weight][, sign]).

Sources: TRRUST v2 raw files (grnpedia.org); CollecTRI's published regulon file
(Zenodo record 8192729, human); DoRothEA levels A-C and CollecTRI for mouse
through the OmniPath web service (the query decoupler makes). Where the file is
fixed, its SHA-256 is known here; for a web-service answer the checksum of the
first download is written beside it and every later use checks the cached copy
against it.
"""
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import pandas as pd

from ..errors import GRNInputError
from .download import download_file
from .files import DataFileError, read_table
from .priors import read_edges, read_trrust

OMNIPATH = "https://omnipathdb.org/interactions/?genesymbols=1&license=academic&organisms={taxon}&"
TAXA = {"human": 9606, "mouse": 10090, "rat": 10116}


def _read_omnipath(path):
    """An OmniPath interactions table: gene symbols, sign from the consensus
    stimulation/inhibition, DoRothEA's confidence level when present."""
    table = read_table(path, sep="\t")
    needed = ["source_genesymbol", "target_genesymbol", "is_stimulation", "is_inhibition"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise DataFileError(f"{path}: not an OmniPath interactions table (missing {missing})")
    flag = lambda column: table[column].astype(str).str.lower().isin(["1", "true"])  # noqa: E731
    stimulation, inhibition = flag("is_stimulation"), flag("is_inhibition")
    if "consensus_stimulation" in table.columns:  # both signs reported: the consensus decides
        stimulation = stimulation & ~(stimulation & inhibition & ~flag("consensus_stimulation"))
    out = pd.DataFrame({"regulator": table["source_genesymbol"].astype(str),
                        "target": table["target_genesymbol"].astype(str),
                        "sign": np.where(stimulation | ~inhibition, 1, -1)})
    if "dorothea_level" in table.columns:
        out["weight"] = table["dorothea_level"].astype(str).str.split(";").str[0]
    return out.drop_duplicates(["regulator", "target"]).reset_index(drop=True)


@dataclass(frozen=True)
class PriorSource:
    url: str
    filename: str
    reader: Callable
    sha256: Optional[str] = None  # None: recorded at the first download


# None of these is a git repository to pin to a commit: Zenodo's record 8192729 is
# one fixed version; grnpedia.org's files and OmniPath's answers carry no version.
# A SHA-256 is given only where a copy was at hand to compute it (TRRUST human:
# ../shared/data/priors); the others are recorded at their first download.
SOURCES = {
    ("trrust", "human"): PriorSource("https://www.grnpedia.org/trrust/data/trrust_rawdata.human.tsv",
                                     "trrust_rawdata.human.tsv", read_trrust,
                                     "9b909319ccc8e36588b5a1bd3640e0dfba03936c6fc154cc4304d742bec11bed"),
    ("trrust", "mouse"): PriorSource("https://www.grnpedia.org/trrust/data/trrust_rawdata.mouse.tsv",
                                     "trrust_rawdata.mouse.tsv", read_trrust),
    ("collectri", "human"): PriorSource("https://zenodo.org/records/8192729/files/CollecTRI_regulons.csv?download=1",
                                        "CollecTRI_regulons.csv", read_edges),
}
for _organism, _taxon in TAXA.items():
    SOURCES[("dorothea", _organism)] = PriorSource(
        OMNIPATH.format(taxon=_taxon) + "datasets=dorothea&dorothea_levels=A,B,C&fields=dorothea_level",
        f"dorothea_ABC.{_organism}.tsv", _read_omnipath)
    if _organism != "human":
        SOURCES[("collectri", _organism)] = PriorSource(OMNIPATH.format(taxon=_taxon) + "datasets=collectri",
                                                        f"collectri.{_organism}.tsv", _read_omnipath)
PRIOR_NAMES = sorted({name for name, _ in SOURCES})


def _sha256(path):
    import pooch

    return pooch.file_hash(str(path), alg="sha256")


def _checked(path, source):
    """Compare a cached file with the known checksum, or with the one recorded at
    its download; record it the first time."""
    recorded = path.with_name(path.name + ".sha256")
    expected = source.sha256 or (recorded.read_text().strip() if recorded.exists() else None)
    actual = _sha256(path)
    if expected is None:
        recorded.write_text(actual + "\n")
    elif actual != expected:
        raise DataFileError(f"{path}: checksum {actual[:12]}... differs from {expected[:12]}... (a corrupt or "
                            "changed copy); delete it to download it again")
    return path


def prior_cache(data_home=None):
    """The folder where downloaded priors are kept: ``data_home``,
    ``$GRNFAST_DATA`` or ``~/grnfast_data``, then ``priors/``."""
    home = Path(data_home or os.environ.get("GRNFAST_DATA") or Path.home() / "grnfast_data").expanduser()
    return home / "priors"


def fetch_prior(name, organism="human", *, path=None, data_home=None, download=True, timeout=60.0, retries=2):
    """A public prior network as an edge table (regulator, target[, weight][, sign]).

    ``name``: ``"trrust"`` (human, mouse), ``"dorothea"`` (levels A-C; human, mouse,
    rat) or ``"collectri"`` (human, mouse, rat). ``path``: a local copy of the same
    file, read without any network (a copy of a file whose checksum is known here
    and that differs from it gives a warning). Otherwise the file is taken from
    the cache folder (:func:`prior_cache`), downloaded there first when missing
    and ``download`` is true (``timeout`` seconds per connect or read, ``retries``
    further attempts), and checked against its checksum.
    """
    key = (str(name).lower(), str(organism).lower())
    if key not in SOURCES:
        known = ", ".join(sorted(f"{n} ({o})" for n, o in SOURCES))
        raise GRNInputError(f"no prior {name!r} for organism {organism!r}; known: {known}")
    source = SOURCES[key]
    if path is not None:
        path = Path(path)
        table = source.reader(path)
        if source.sha256 is not None and _sha256(path) != source.sha256:
            warnings.warn(f"{path}: differs from the published {name} {organism} file (checksum); read as it is",
                          UserWarning, stacklevel=2)
        return table
    cached = prior_cache(data_home) / source.filename
    if not cached.exists():
        if not download:
            raise DataFileError(f"{cached}: {name} ({organism}) is not in the cache; pass path= a local copy, or "
                                "download=True")
        download_file(source.url, cached, known_hash=f"sha256:{source.sha256}" if source.sha256 else None,
                      timeout=timeout, retries=retries, what=f"the {name} prior ({organism})")
    return source.reader(_checked(cached, source))
