"""The package's layers import only downward (docs/architecture.md draws them)."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "grnfast"
TOOLS = PACKAGE.parent / "tools"  # the project's tooling (the results page), beside the package

# Lowest first. A module may import its own layer and those before it, never a later one.
LAYERS = [
    ("grnfast", "grnfast.errors", "grnfast.progress", "grnfast.atomic"),
    ("grnfast._core",),
    ("grnfast.genes", "grnfast.pair_classifier"),
    ("grnfast.models",),
    ("grnfast.scoring", "grnfast.analysis"),
    ("grnfast.evaluation", "grnfast.plots"),
    ("grnfast.data",),
    ("grnfast.pipeline",),
    ("grnfast.studies",),
    ("grnfast.cli", "grnfast.__main__"),
]


def layer_of(module):
    """Index of the layer whose most specific name is ``module`` or a package holding it."""
    matches = [(len(name), rank) for rank, names in enumerate(LAYERS) for name in names
               if module == name or module.startswith(name + ".")]
    return max(matches)[1] if matches else None


def module_names():
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def imported_modules(module, path, known):
    """Every grnfast module ``module`` imports, at the top or inside a function."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.split(".")[0] == "grnfast")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "grnfast":
                continue
            for alias in node.names:  # "from . import ablation" imports a module
                sub = f"{target}.{alias.name}"
                yield sub if sub in known or sub == "grnfast._core" else target


def test_every_module_has_a_layer():
    unplaced = [m for m in module_names() if m not in LAYERS[0] and layer_of(m) == 0]
    assert not unplaced, f"modules in no layer of LAYERS: {unplaced}"


def test_imports_go_only_downward():
    known = module_names()
    upward = []
    for module, path in known.items():
        for imported in imported_modules(module, path, known):
            if layer_of(imported) > layer_of(module):
                upward.append(f"{module} imports {imported}")
    assert not upward, "imports of a later layer:\n" + "\n".join(upward)


def top_level_imports(path):
    """The first name of every absolute import in ``path``, at the top or inside a function."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            yield node.module.split(".")[0]


def test_the_package_never_imports_the_tooling():
    """tools/ is not installed: the package must not import it, or any module of it
    by name; the results page that moved there left no module behind."""
    tooling = {"tools"} | {path.stem for path in TOOLS.glob("*.py")}
    found = [f"{module} imports {name}" for module, path in module_names().items()
             for name in top_level_imports(path) if name in tooling]
    assert not found, "the package imports the tooling:\n" + "\n".join(found)
    assert "grnfast.results" not in module_names()


def test_layer_check_sees_an_upward_import(tmp_path):
    """The check itself: a relative import of a later layer is found."""
    path = tmp_path / "dataset.py"
    path.write_text("from ..studies import STUDIES\n\ndef f():\n    from .. import _core\n")
    found = list(imported_modules("grnfast.data.dataset", path, module_names()))
    assert found == ["grnfast.studies", "grnfast._core"]
    assert layer_of("grnfast.studies") > layer_of("grnfast.data.dataset") > layer_of("grnfast._core")


@pytest.mark.parametrize("module", ["grnfast.data", "grnfast.evaluation", "grnfast.genes", "grnfast.pair_classifier"])
def test_import_does_not_load_the_engine(module):
    code = (f"import sys, {module}; loaded = [m for m in ('grnfast._core', 'grnfast.models', 'grnfast.studies') "
            "if m in sys.modules]; assert not loaded, loaded")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_package_never_imports_the_tests_engine_module():
    """grnfast._core_testing (csrc/testing_bindings.cpp: single kernels for the tests)
    ships beside _core, but no module of the package names it."""
    naming = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py") if "_core_testing" in path.read_text()]
    assert not naming, f"package modules that name grnfast._core_testing: {naming}"
