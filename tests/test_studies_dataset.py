"""The studies that build their own splits from a GRNDataset (imbalance, cold
start) run end to end on a tiny configuration, evaluate on the pairs they claim
to, and write their outputs."""
import numpy as np
import pandas as pd
import pytest

import grnfast.studies._runner as runner
from grnfast.data import GRNDataset
from grnfast.studies import STUDIES, cold_start, imbalance
from grnfast.studies.output import METRICS

TINY = {"embedding_dim": 16, "hidden_layer_sizes": (32, 16), "max_iter": 5}
SEEDS = 2
MODELS = ("cross-encoder", "late-interaction")
BASELINES = ("degree baseline", "expression baseline", "correlation baseline", "gene-identity baseline")


@pytest.fixture(scope="module")
def dataset():
    return GRNDataset.synthetic(random_state=0, n_genes=200, n_regulators=20, n_cells=200, n_cell_types=4,
                                mean_out_degree=8)



def pair_set(X):
    return set(map(tuple, pd.DataFrame(X).astype(str).to_numpy().tolist()))


def fingerprint(X, y):
    return frozenset(zip(map(tuple, pd.DataFrame(X).astype(str).to_numpy().tolist()), np.asarray(y).tolist()))


def check_written(result, tmp_path):
    paths = result.save(tmp_path)
    names = {p.name for p in paths}
    assert {f"{result.name}.md", f"{result.name}_runs.csv", f"{result.name}_summary.csv",
            f"{result.name}.json"} <= names
    assert any(name.endswith(".png") for name in names)
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    assert len(pd.read_csv(tmp_path / f"{result.name}_summary.csv")) == len(result.summary)


def test_registered():
    assert STUDIES["imbalance"] is imbalance.run and STUDIES["cold-start"] is cold_start.run


def test_imbalance(dataset, tmp_path, monkeypatch):
    calls = []
    original = imbalance.evaluate_on_test

    def spy(task, estimator, X=None, y=None):
        calls.append((task, fingerprint(X, y), float(np.mean(y)), len(y)))
        if hasattr(estimator, "n_parameters_"):  # a model trains at exactly the task's ratio
            assert estimator.get_params()["random_negative_ratio"] == 0
        return original(task, estimator, X, y)

    monkeypatch.setattr(imbalance, "evaluate_on_test", spy)
    # 1:50 needs more non-edges than this network has: skipped with a note, not a crash.
    result = imbalance.run(dataset, models=MODELS, ratios=(1, 5, 50), seeds=SEEDS, params=TINY, progress=False)
    assert result.name == "imbalance"
    assert set(result.notes["skipped"]) == {"50"} and "non-edges" in result.notes["skipped"]["50"]
    assert "Skipped: 1:50" in result.markdown

    # Table structure: every (ratio, test set, variant) with one run per seed.
    runs, summary = result.runs, result.summary
    expected = {(r, t, v) for r in (1, 5) for t in ("balanced", "realistic")
                for v in (*BASELINES, *MODELS)}
    assert set(zip(runs.ratio, runs.test_set, runs.variant)) == expected
    assert (runs.groupby(["ratio", "test_set", "variant"]).size() == SEEDS).all()
    assert len(summary) == len(expected) and (summary["runs"] == SEEDS).all()
    for m in METRICS:
        assert summary[f"{m}_mean"].notna().all()
    assert result.markdown.count("\n| ") == len(expected) + 1  # header + one row per group
    # The degree baseline only counts training positives: identical for every ratio and seed.
    degree = runs[runs.variant == "degree baseline"].groupby("test_set")["auroc"].nunique()
    assert (degree == 1).all()

    # The same two test sets for every ratio, seed and scorer.
    assert len(calls) == len(runs)
    sets = {fp: (prev, n) for _, fp, prev, n in calls}
    assert len(sets) == 2
    (bal_fp, (bal_prev, bal_n)), (real_fp, (real_prev, real_n)) = sorted(sets.items(), key=lambda kv: -kv[1][0])
    notes = result.notes["test_sets"]
    assert (bal_n, real_n) == (notes["balanced"]["pairs"], notes["realistic"]["pairs"])
    n_edges = round(bal_prev * bal_n)
    assert abs(2 * n_edges - bal_n) <= 1  # balanced: 1:1 up to the stratified split's rounding
    # Realistic: the same edges, prevalence as claimed and equal to the density.
    assert {p for p, label in real_fp if label == 1} == {p for p, label in bal_fp if label == 1}
    assert {p for p, label in bal_fp if label == 0} <= {p for p, label in real_fp if label == 0}
    assert real_prev == pytest.approx(notes["realistic"]["prevalence"], abs=1e-12)
    assert not notes["realistic"]["capped"]
    density = dataset.summary()["density"]
    assert notes["realistic"]["density"] == pytest.approx(density)
    assert abs(real_prev - density) < 1.0 / real_n
    assert set(runs.loc[runs.test_set == "realistic", "prevalence"]) == {real_prev}

    # Training and validation at the training ratio, disjoint from the test pairs, no known edge as a negative.
    edges = pair_set(dataset.edges[["regulator", "target"]])
    test_pairs = {p for p, _ in real_fp}
    for task, *_ in calls:
        ratio = int(task.name.rsplit(":", 1)[1].rstrip(")"))
        for X, y in ((task.X_train, task.y_train), (task.X_val, task.y_val)):
            assert np.sum(y == 0) == ratio * np.sum(y == 1)
            assert not pair_set(X) & test_pairs
            assert not pair_set(pd.DataFrame(X)[y == 0]) & edges
        assert not pair_set(task.X_train) & pair_set(task.X_val)

    check_written(result, tmp_path)


def test_imbalance_no_possible_ratio(dataset):
    with pytest.raises(ValueError, match="no ratio"):
        imbalance.run(dataset, ratios=(1000,), seeds=1, params=TINY, progress=False)


def test_cold_start(dataset, tmp_path, monkeypatch):
    tasks = {}
    original = runner.evaluate_on_test

    def spy(task, estimator, X=None, y=None):
        tasks[id(task)] = task
        return original(task, estimator, X, y)

    monkeypatch.setattr(runner, "evaluate_on_test", spy)
    result = cold_start.run(dataset, models=MODELS, seeds=SEEDS, params=TINY, progress=False)
    assert result.name == "cold-start"

    runs, summary = result.runs, result.summary
    splits = [cold_start.WARM, "cold regulators", "cold targets", "cold both"]
    assert list(pd.unique(summary["split"])) == splits
    for split in splits:
        part = runs[runs.split == split]
        assert set(part.variant) == {*BASELINES, *MODELS}
        assert all((part.variant == model).sum() == SEEDS for model in MODELS)
    assert summary[[f"{m}_mean" for m in METRICS]].notna().all().all()

    # The test pairs the study evaluated use held-out genes only in the held-out role.
    assert len(tasks) == 4
    for task in tasks.values():
        train = pd.concat([pd.DataFrame(task.X_train), pd.DataFrame(task.X_val)])
        test = pd.DataFrame(task.X_test)
        if "hold_out" not in task.notes:  # the warm reference
            assert not pair_set(train) & pair_set(test)
            continue
        held = set(task.notes["held_out"])
        assert held == set(result.notes["held_out"][f"cold {task.notes['hold_out']}"])
        reg_test, tgt_test = test.iloc[:, 0].isin(held), test.iloc[:, 1].isin(held)
        reg_train, tgt_train = train.iloc[:, 0].isin(held), train.iloc[:, 1].isin(held)
        if task.notes["hold_out"] == "regulators":
            assert reg_test.all() and not reg_train.any()
        elif task.notes["hold_out"] == "targets":
            assert tgt_test.all() and not tgt_train.any()
        else:
            assert (reg_test & tgt_test).all() and not (reg_train | tgt_train).any()
        assert len(test) == result.notes["splits"][f"cold {task.notes['hold_out']}"]["test"]["pairs"]

    # With both roles held out, no test gene has a training edge: the degree baseline ties every pair.
    both = runs[(runs.split == "cold both") & (runs.variant == "degree baseline")]
    assert both["auroc"].tolist() == [0.5]
    check_written(result, tmp_path)
