"""bench/genome_job.py (issue 28's genome-scale job) on a tiny scale: its prior has
the asked size and no self-loops or repeats, its replay of early stopping agrees with
the estimators' EarlyStopping, and the job reports every step of the pipeline and of
the model, with CPU seconds."""
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grnfast.models._training import EarlyStopping

pytest.importorskip("anndata")
BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def genome_job():
    sys.path.insert(0, str(BENCH))  # the bench imports atlas_h5ad beside it
    try:
        spec = importlib.util.spec_from_file_location("genome_job", BENCH / "genome_job.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(BENCH))


def test_prior_has_the_size_asked_for(genome_job, tmp_path):
    table = genome_job.write_prior(tmp_path / "prior.tsv", n_genes=400, n_tfs=30, n_edges=1500, seed=2)
    back = pd.read_csv(tmp_path / "prior.tsv", sep="\t")
    assert list(back.columns) == ["source", "target", "weight"] and len(back) == 1500 == len(table)
    assert back.source.nunique() == 30 and not (back.source == back.target).any()
    assert not back.duplicated(["source", "target"]).any() and set(back.weight) <= {1, -1}


def test_early_stopping_replay_matches_the_estimators(genome_job):
    rng = np.random.default_rng(0)
    for _ in range(200):
        scores = list(np.round(rng.random(int(rng.integers(1, 15))), 2))
        patience = int(rng.integers(1, 6))
        stopper, best_epoch, epochs = EarlyStopping(patience, 1e-4, higher_is_better=True), 0, 0
        for epoch, score in enumerate(scores, 1):
            before = stopper.best
            stopper.update(score)
            best_epoch = epoch if stopper.best != before else best_epoch
            epochs = epoch
            if stopper.should_stop:
                break
        assert genome_job.early_stopping(scores, patience, 1e-4)[:2] == (epochs, best_epoch)


def test_tiny_job_reports_every_step(genome_job, tmp_path):
    h5ad, prior = genome_job.make_inputs(tmp_path, 0.02)
    report = genome_job.job(h5ad, prior, "cross-encoder", 1, tmp_path / "out")
    steps = [row[0] for row in report["rows"]]
    for step in ("load + split", "train cross-encoder", "evaluation + checks", "score cross-encoder", "write cross-encoder",
                 "figures + the rest"):
        assert step in steps
    assert all(wall >= 0 and cpu >= 0 and peak > 0 for _, wall, cpu, peak in report["rows"])
    facts = report["facts"]["cross-encoder"]
    assert facts["pairs_scored"] == report["dataset"]["regulators"] * report["dataset"]["genes"]
    assert 1 <= facts["best_epoch"] <= facts["epochs"] == len(facts["validation_scores"])
    assert "| train cross-encoder |" in genome_job.table(report)
    assert "5 (default)" in genome_job.patience_table(report)


def test_params_are_read_as_literals_and_a_malformed_one_stops(genome_job):
    assert genome_job.parse_params(["embedding_update=lazy", "random_negative_ratio=3", "hidden_layer_sizes=(8, 4)"]) \
        == {"embedding_update": "lazy", "random_negative_ratio": 3, "hidden_layer_sizes": (8, 4)}
    assert genome_job.parse_params([]) == {}
    with pytest.raises(SystemExit, match="--param needs NAME=VALUE; got 'lazy'"):
        genome_job.parse_params(["lazy"])


def test_a_param_reaches_the_models(genome_job, tmp_path, monkeypatch):
    import grnfast.pipeline.training as training

    seen = []
    original = training.train

    def spy(task, name, model, *args, **kwargs):
        seen.append(model.get_params()["embedding_update"])
        return original(task, name, model, *args, **kwargs)

    monkeypatch.setattr(training, "train", spy)
    h5ad, prior = genome_job.make_inputs(tmp_path, 0.02)
    genome_job.job(h5ad, prior, "two-tower", 1, tmp_path / "out", {"embedding_update": "lazy", "max_iter": 2})
    assert seen == ["lazy"]
