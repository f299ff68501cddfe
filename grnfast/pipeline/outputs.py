"""Output paths checked before any input is read or any model trained: a mistake
in an output option costs nothing."""
import os
import tempfile
from pathlib import Path

from ..errors import GRNInputError


def writable_folder(path, option="--output"):
    """Create the folder if needed and check that a file can be written in it,
    before any training (an OSError naming the folder otherwise)."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise OSError(f"{option} {folder}: is a file, not a folder; give a folder to write the results in")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise OSError(f"{option} {folder}: cannot write there ({exc.strerror or exc})") from exc
    return folder


def check_outputs(output, suffix, write_h5ad=None, expression=None):
    """Every output option of a run: the folder (None: nothing written), the parquet
    writer, and ``write_h5ad`` (needs an ``.h5ad`` ``expression``, anndata and a
    writable folder). Returns the output folder."""
    from ..scoring import check_parquet_writer

    out = writable_folder(output) if output is not None else None
    if suffix == ".parquet":
        check_parquet_writer()
    if write_h5ad is not None:
        if expression is None or Path(expression).suffix != ".h5ad":
            raise GRNInputError(f"--write-h5ad writes the results into the input AnnData: --expression must be an "
                                f".h5ad file; got {expression or 'none'}")
        if Path(write_h5ad).suffix != ".h5ad":
            raise GRNInputError(f"--write-h5ad {write_h5ad}: the file name must end in .h5ad")
        if Path(write_h5ad).resolve() == Path(expression).resolve():
            raise GRNInputError(f"--write-h5ad {write_h5ad} is the input file; give a new path")
        if Path(write_h5ad).is_dir():
            raise GRNInputError(f"--write-h5ad {write_h5ad} is a folder; give the path of a new .h5ad file")
        writable_folder(Path(write_h5ad).parent, "--write-h5ad")
        if Path(write_h5ad).exists() and not os.access(write_h5ad, os.W_OK):
            raise OSError(f"--write-h5ad {write_h5ad}: the file exists and cannot be replaced (no write permission)")
        try:
            import anndata  # noqa: F401
        except ImportError:
            raise GRNInputError("--write-h5ad needs anndata: pip install 'grnfast[anndata]'") from None
    return out
