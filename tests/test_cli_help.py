"""A person can read the command line: `grnfast` alone lists the commands,
--version, every option has help, infer --help says what it writes, and a run
ends with the recommended network, what its columns mean, the files written,
times and peak memory; progress off a terminal is plain lines."""
import argparse
import re

import pytest

from grnfast import __version__
from grnfast.cli import build_parser, main
from grnfast.scoring import DEFAULT_TOP_K

TINY = ["--epochs", "3", "--embedding-dim", "8", "--n-jobs", "1"]


def subcommand_parsers(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def test_every_option_of_every_command_has_help():
    parser = build_parser()
    missing = [f"{name} {' '.join(action.option_strings) or action.dest}"
               for name, sub in [("grnfast", parser), *subcommand_parsers(parser)]
               for action in sub._actions
               if not isinstance(action, argparse._SubParsersAction) and not action.help]
    assert not missing, f"options without help: {missing}"
    assert {name for name, _ in subcommand_parsers(parser)} == {"infer", "evaluate", "study"}


def test_grnfast_alone_lists_the_commands_and_version(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for command in ("infer", "evaluate", "study"):
        assert re.search(rf"^\s+{command}\s+\S", out, re.M), out
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and capsys.readouterr().out.strip() == f"grnfast {__version__}"


def test_infer_help_says_what_it_writes(capsys):
    with pytest.raises(SystemExit):
        main(["infer", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "cells x genes" in text and "genes x cells CSV" in text
    assert f"(default {DEFAULT_TOP_K})" in text and "top 100 targets of each regulator" in text
    for written in ("metrics.csv", "network_<model>.csv", "roc_pr.png", "--write-h5ad"):
        assert written in text


def test_a_run_says_what_to_use_and_why(tmp_path, capsys):
    assert main(["infer", "--model", "two-tower", "--output", str(tmp_path), *TINY]) == 0
    captured = capsys.readouterr()
    out, err = captured.out, captured.err
    for metric in ("AUROC:", "AUPRC:", "EPR:"):
        assert sum(line.startswith(metric) for line in out.splitlines()) == 1
    recommended = re.search(r"^recommended network: (.*)$", out, re.M).group(1)
    assert recommended.startswith("two-tower: the best AUPRC on validation pairs") or \
        recommended.startswith("none: the degree baseline ranks the validation pairs")
    assert f"{tmp_path / 'network_two-tower.csv'}" in out and f"{tmp_path / 'metrics.csv'}" in out
    assert re.search(r"^time: loading [\d.]+s, training [\d.]+s, .*peak memory \d+ MB$", out, re.M)
    # not a terminal: one plain line per step, no carriage returns of a bar
    assert "\r" not in err
    assert re.search(r"^two-tower: (early stopping at epoch \d+, best at \d+|max_iter 3 reached, best at \d+) "
                     r"\([\d.]+s\)$", err, re.M), err
    assert re.search(r"^scoring two-tower: \d+ edges kept", err, re.M)


def test_quiet_run_prints_no_progress(tmp_path, capsys):
    assert main(["infer", "--model", "cross-encoder", "--output", str(tmp_path), "--quiet", *TINY]) == 0
    assert capsys.readouterr().err == ""


class Scores:
    """A scorer whose probability for validation pair i is ``values[i]``."""

    def __init__(self, values):
        self.values = values

    def predict_proba(self, X):
        import numpy as np

        p = np.asarray(self.values, dtype=float)[np.asarray(X)[:, 0]]
        return np.column_stack([1 - p, p])


def test_recommendation_is_the_best_on_validation_or_none_when_degree_wins():
    import numpy as np

    from grnfast.pipeline import recommendation

    task = argparse.Namespace(X_val=np.arange(6)[:, None].repeat(2, axis=1), y_val=np.array([1, 1, 1, 0, 0, 0]))
    perfect, half, wrong = Scores([.9, .8, .7, .1, .2, .3]), Scores([.9, .1, .7, .8, .2, .3]), Scores([0] * 6)
    name, sentence = recommendation(task, {"a": half, "b": perfect}, degree=wrong)
    assert name == "b" and sentence.startswith("b: the best AUPRC on validation pairs (1.000; a ")
    name, sentence = recommendation(task, {"a": half, "b": half}, degree=perfect)
    assert name is None and "better than the degree baseline by more than the uncertainty" in sentence


def test_infer_trains_every_model_by_default_in_one_aligned_table(tmp_path, capsys):
    assert main(["infer", "--output", str(tmp_path), "--quiet", *TINY]) == 0
    out = capsys.readouterr().out
    models = ["two-tower", "cross-encoder", "late-interaction"]
    assert all((tmp_path / f"network_{model}.csv").is_file() for model in models)
    table = out[out.index("model "):out.index("\ntest: ")].splitlines()
    names = [line.rsplit(maxsplit=5)[0] for line in table[1:]]  # before AUROC, AUPRC, EPR, F1*, time
    baselines = ["degree baseline", "expression baseline", "correlation baseline", "gene-identity baseline"]
    assert names == baselines + models + [f"{model} x degree" for model in models]
    # the columns are right-aligned after the names, whatever the longest name: one line length
    assert len({len(line) for line in table}) == 1
