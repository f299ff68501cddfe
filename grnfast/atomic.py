"""Files that appear whole or not at all: a run stopped while writing (Ctrl-C, a
full disk, an error) leaves no half-written file under the final name."""
import os
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def written_atomically(path):
    """Yield a temporary path beside ``path`` (same folder, same extension, so
    writers that infer compression or format from it still do); it is renamed to
    ``path`` when the block ends without an error, and removed otherwise."""
    path = Path(path)
    partial = path.with_name(f".partial-{path.name}")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
