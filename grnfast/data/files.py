"""Reading delimited text files, plain or gzip-compressed, so that every failure is a
:class:`DataFileError` naming the file and the problem, never a message from
inside gzip, zlib or pandas."""
import gzip
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import GRNInputError

GZIP_MAGIC = b"\x1f\x8b"


class DataFileError(GRNInputError):
    """A data file that cannot be used as it is; the message names the file."""


def existing_file(path):
    """``path`` as a Path, or a DataFileError when it is missing or a folder."""
    path = Path(path)
    if not path.exists():
        raise DataFileError(f"{path}: no such file")
    if path.is_dir():
        raise DataFileError(f"{path}: is a folder, not a file")
    return path


def separator(path):
    """Tab for .tsv/.txt files (also under .gz), comma otherwise."""
    return "\t" if any(s in Path(path).suffixes for s in (".tsv", ".txt")) else ","


def read_table(path, **kwargs):
    """``pandas.read_csv(path, **kwargs)`` with the separator chosen by the file's
    name and gzip recognised by its first bytes; errors name the file."""
    path = existing_file(path)
    with open(path, "rb") as handle:
        head = handle.read(2)
    named_gz = path.suffix == ".gz"
    if named_gz and head != GZIP_MAGIC:
        raise DataFileError(f"{path}: named .gz but not gzip-compressed (rename it without .gz, or compress it)")
    kwargs.setdefault("sep", separator(path))
    if head == GZIP_MAGIC:
        kwargs.setdefault("compression", "gzip")
    kind = "TSV" if kwargs["sep"] == "\t" else "CSV"
    try:
        return pd.read_csv(path, **kwargs)
    except pd.errors.EmptyDataError:
        raise DataFileError(f"{path}: the file is empty") from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DataFileError(f"{path}: truncated or corrupt gzip data ({exc})") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not a text file (undecodable byte at position {exc.start})") from None
    except pd.errors.ParserError as exc:
        raise DataFileError(f"{path}: cannot parse as {kind}: {str(exc).strip()}") from None
    except ValueError as exc:  # pandas' own complaints about columns or dtypes
        raise DataFileError(f"{path}: cannot read as {kind}: {exc}") from None


def require_columns(table, columns, path):
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataFileError(f"{path}: missing columns {missing} (found {list(table.columns)[:6]}; wrong delimiter?)")
    return table


def require_rows(table, path, what="rows"):
    if len(table) == 0:
        raise DataFileError(f"{path}: no {what} (only a header)")
    return table


def index_column(table, column, path, size=None):
    """A column of row indices as int64: no NaN, whole numbers, within ``[0, size)``."""
    values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        rows = np.flatnonzero(bad)[:5].tolist()
        raise DataFileError(f"{path}: column {column!r} holds {int(bad.sum())} missing or non-numeric indices "
                            f"(data rows {rows})")
    if (values != np.round(values)).any():
        raise DataFileError(f"{path}: column {column!r} holds non-integer indices, e.g. "
                            f"{values[values != np.round(values)][0]}")
    if size is not None and (values.min() < 0 or values.max() >= size):
        raise DataFileError(f"{path}: column {column!r} has indices outside 0..{size - 1} "
                            f"(min {values.min():.0f}, max {values.max():.0f})")
    return values.astype(np.int64)
