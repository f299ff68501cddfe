"""What importing grnfast costs and what it leaves alone: the command line answers
--version and --help without scikit-learn or pandas, the library never switches
the user's matplotlib backend, and the package imports where ``resource`` (POSIX
only) does not exist."""
import subprocess
import sys
import tempfile

import pytest


def run(code):
    """``code`` in a fresh interpreter, outside the checkout (the installed grnfast, not the source tree)."""
    with tempfile.TemporaryDirectory() as elsewhere:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              cwd=elsewhere).stdout


@pytest.mark.parametrize("argv", [["--version"], ["--help"], []])
def test_version_and_help_load_neither_scikit_learn_nor_pandas(argv):
    out = run(f"""
import sys
from grnfast.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
heavy = [m for m in ("sklearn", "pandas", "scipy", "grnfast._core") if m in sys.modules]
print("loaded:", heavy)
""")
    assert "loaded: []" in out, out


def test_a_command_builds_its_options_from_the_registries(capsys):
    from grnfast.cli import main
    from grnfast.models import MODEL_NAMES

    with pytest.raises(SystemExit):
        main(["evaluate", "--help"])
    text = capsys.readouterr().out
    assert all(name in text for name in MODEL_NAMES) and "--protocol" in text


def test_the_library_keeps_the_users_matplotlib_backend():
    pytest.importorskip("matplotlib")
    out = run("""
import matplotlib
matplotlib.use("svg")
import numpy as np
from grnfast.plots import plot_roc_pr
plot_roc_pr(np.array([0, 1, 0, 1]), {"a": np.array([0.1, 0.9, 0.2, 0.8])})
print("backend:", matplotlib.get_backend())
""")
    assert "backend: svg" in out, out


def test_the_package_imports_without_the_resource_module():
    out = run("""
import sys
sys.modules["resource"] = None  # as on Windows: importing it raises ImportError
import grnfast, grnfast.progress, grnfast.data, grnfast.cli
print("imported")
""")
    assert "imported" in out
