"""Fuzzing the command line: Hypothesis draws option values and file contents,
good and bad. Every run ends with exit 0, or exit 2 and one line that starts
"grnfast: error:"; never a traceback or a hang; and a run given anything it should
refuse never ends with exit 0."""
import gzip

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from grnfast.cli import main

GENES = [f"TF{i}" for i in range(4)] + [f"G{i}" for i in range(16)]
CELLS = [f"cell{i}" for i in range(30)]
EXPRESSION = pd.DataFrame(np.random.default_rng(0).poisson(3.0, (20, 30)).astype(float), index=GENES, columns=CELLS)
EDGES = pd.DataFrame({"Gene1": [f"TF{i % 4}" for i in range(30)], "Gene2": [f"G{(3 * i) % 16}" for i in range(30)]})
CELL_TYPES = pd.DataFrame({"cell": CELLS, "type": ["A", "B", "C"] * 10})
FAST = ["--model", "two-tower", "--epochs", "1", "--embedding-dim", "4", "--n-jobs", "1", "--quiet", "--top-k", "2"]


def write(path, text):
    if str(path).endswith(".gz"):
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        path.write_text(text)


# Each file: good contents, and bad contents that a run must refuse.
EXPRESSION_FILES = {
    "good": [EXPRESSION.to_csv()],
    "bad": ["", EXPRESSION.iloc[:0].to_csv(), EXPRESSION.to_csv().replace("3.0", "three", 1),
            EXPRESSION.to_csv().replace("3.0", "nan", 1), EXPRESSION.rename(index={"G1": "G0"}).to_csv(),
            EXPRESSION.to_csv().replace(",", ";"), EXPRESSION.T.to_csv()],
}
EDGE_FILES = {
    "good": [EDGES.to_csv(index=False)],
    "bad": ["", "Gene1\nTF0\n", EDGES.assign(Gene1="NOPE").to_csv(index=False), "Gene1,Gene2\n"],
}
CELL_TYPE_FILES = {
    "good": [CELL_TYPES.to_csv(index=False)],
    "bad": [CELL_TYPES.assign(cell=[f"x{i}" for i in range(30)]).to_csv(index=False),
            CELL_TYPES.assign(cell=["cell0"] * 30).to_csv(index=False),
            CELL_TYPES.assign(type=[f"t{i}" for i in range(30)]).to_csv(index=False)],
}
OPTIONS = {
    "--negatives": (["1", "2"], ["0", "-1", "nan", "many"]),
    "--negative-sampling": (["uniform", "per_regulator"], ["sometimes"]),
    "--top-k": (["2", "all"], ["0", "x"]),
    "--min-probability": (["0", "0.5"], ["-0.1", "1.5", "x", "nan"]),
    "--format": (["grnfast", "scenic", "decoupler"], ["xml"]),
    "--suffix": ([".csv", ".tsv.gz"], [".xlsx"]),
    "--seed": (["0", "7"], ["-1"]),
    "--min-cells": (["1", "10"], ["0"]),
    "--features": (["clusters", "pca"], ["spectral"]),
}


@st.composite
def runs(draw):
    bad = []
    files = {}
    for name, kinds in (("expression", EXPRESSION_FILES), ("edges", EDGE_FILES), ("cell_types", CELL_TYPE_FILES)):
        if name == "cell_types" and not draw(st.booleans()):
            continue
        kind = "bad" if draw(st.integers(0, 4)) == 0 else "good"
        files[name] = draw(st.sampled_from(kinds[kind]))
        if kind == "bad":
            bad.append(name)
    options = []
    for option in draw(st.lists(st.sampled_from(sorted(OPTIONS)), max_size=3, unique=True)):
        good, wrong = OPTIONS[option]
        if draw(st.integers(0, 3)) == 0:
            options += [option, draw(st.sampled_from(wrong))]
            bad.append(option)
        else:
            options += [option, draw(st.sampled_from(good))]
    return files, options, bad


@settings(max_examples=30, deadline=60_000, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(case=runs())
@pytest.mark.filterwarnings("default")  # the library's warnings are lines on stderr, as a user sees them
def test_the_command_line_never_shows_a_traceback_and_refuses_what_it_should(case, tmp_path_factory, capsys):
    files, options, bad = case
    folder = tmp_path_factory.mktemp("fuzz")
    argv = ["infer"]
    for name, text in files.items():
        path = folder / {"expression": "expr.csv", "edges": "edges.csv", "cell_types": "cells.csv"}[name]
        write(path, text)
        argv += [f"--{name.replace('_', '-')}", str(path)]
    argv += [*FAST, *options, "--output", str(folder / "out")]
    try:
        code = main(argv)
    except SystemExit as exit_info:  # argparse: a bad option value
        code = exit_info.code
    err = capsys.readouterr().err
    event(f"exit {code}")  # pytest --hypothesis-show-statistics: how often each outcome was reached
    errors = [line for line in err.splitlines() if line.startswith("grnfast: error:")]
    assert "Traceback" not in err
    if code == 2:
        assert len(errors) == 1, err
    else:
        assert code == 0 and not errors, err
    if bad:
        assert code == 2, f"accepted {bad}: {argv}\n{err}"
