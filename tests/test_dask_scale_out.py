"""Scale-out on Dask: genome-wide scoring in chunks of regulators on the workers
(rank_edges(client=)) and `grnfast infer --scheduler ADDRESS` (each model trained
as a task, scoring on the workers) give exactly what a local run gives. The cluster
is a LocalCluster of one worker process on loopback."""
import numpy as np
import pandas as pd
import pytest

from grnfast import CrossEncoderClassifier, TwoTowerClassifier
from grnfast.cli import main
from grnfast.data import make_synthetic_network
from grnfast.scoring import rank_edges

distributed = pytest.importorskip("dask.distributed")

FAST = dict(embedding_dim=8, hidden_layer_sizes=(16, 8), max_iter=3, early_stopping=False, random_state=0, n_jobs=1)


@pytest.fixture(scope="module")
def client():
    # dashboard on any free port: the default 8787 may be taken on the machine
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=":0",
                                  host="127.0.0.1") as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.mark.parametrize("model", [TwoTowerClassifier, CrossEncoderClassifier])
@pytest.mark.parametrize("top_k", [None, 7])
def test_scoring_on_the_cluster_equals_local(client, model, top_k):
    rng = np.random.default_rng(0)
    features = pd.DataFrame(rng.normal(size=(90, 4)), index=[f"g{i}" for i in range(90)])
    pairs = rng.integers(0, 90, (600, 2))
    y = (features.to_numpy()[pairs[:, 0], 0] > features.to_numpy()[pairs[:, 1], 1]).astype(int)
    fitted = model(node_features=features, **FAST).fit(pairs, y)
    regulators = [f"g{i}" for i in range(0, 90, 3)]
    local = rank_edges(fitted, regulators, top_k=top_k, block_size=4)
    remote = rank_edges(fitted, regulators, top_k=top_k, block_size=4, client=client)
    pd.testing.assert_frame_equal(remote, local, check_exact=True)


def test_a_blend_for_tfs_without_edges_scores_on_the_cluster_as_locally(client):
    from grnfast.pipeline.cold_blend import ColdBlend
    from grnfast.pipeline.coexpressed_targets import CoexpressedTargets

    rng = np.random.default_rng(1)
    features = pd.DataFrame(rng.normal(size=(60, 4)), index=[f"g{i}" for i in range(60)])
    pairs = rng.integers(0, 60, (400, 2))
    y = (features.to_numpy()[pairs[:, 0], 0] > features.to_numpy()[pairs[:, 1], 1]).astype(int)
    fitted = TwoTowerClassifier(node_features=features, **FAST).fit(pairs, y)
    known = pd.DataFrame({"regulator": features.index[pairs[y == 1, 0]], "target": features.index[pairs[y == 1, 1]]})
    targets = CoexpressedTargets.fit(features.index, features, known, features.index, beta=2.0)
    blended = ColdBlend(-1.0, 0.6, 0.9, 2.0, 100, 0.2).scorer(fitted, targets)
    regulators = [f"g{i}" for i in range(1, 60, 4)]
    local = rank_edges(blended, regulators, top_k=5, block_size=4)
    pd.testing.assert_frame_equal(rank_edges(blended, regulators, top_k=5, block_size=4, client=client), local,
                                  check_exact=True)


def test_a_blend_for_genes_without_regulators_scores_on_the_cluster_as_locally(client):
    from grnfast.pipeline.calibration import fit_calibration
    from grnfast.pipeline.cold_blend import ColdBlend
    from grnfast.pipeline.coexpressed_targets import CoexpressedRegulators

    rng = np.random.default_rng(2)
    features = pd.DataFrame(rng.normal(size=(60, 4)), index=[f"g{i}" for i in range(60)])
    pairs = rng.integers(0, 60, (400, 2))
    y = (features.to_numpy()[pairs[:, 0], 0] > features.to_numpy()[pairs[:, 1], 1]).astype(int)
    fitted = TwoTowerClassifier(node_features=features, **FAST).fit(pairs, y)
    known = pd.DataFrame({"regulator": features.index[pairs[y == 1, 0]], "target": features.index[pairs[y == 1, 1]]})
    regulators = sorted(known.regulator.unique())
    lacking = features.index[~features.index.isin(known.target)]
    shares = CoexpressedRegulators.fit(features.index, features, known, lacking, regulators, beta=2.0)
    calibration = fit_calibration(fitted, pairs[:100], y[:100])
    blended = ColdBlend(-1.0, 0.6, 0.9, 2.0, 100, 0.2, "targets").target_scorer(fitted, calibration, shares, lacking)
    local = rank_edges(blended, regulators[::3], top_k=5, block_size=4)
    pd.testing.assert_frame_equal(rank_edges(blended, regulators[::3], top_k=5, block_size=4, client=client), local,
                                  check_exact=True)


def test_infer_with_a_scheduler_equals_a_local_run(client, tmp_path, capsys):
    expression, _, edges = make_synthetic_network(n_genes=300, n_regulators=30, n_cells=200, random_state=1)
    expression.to_csv(tmp_path / "expression.csv")
    edges.to_csv(tmp_path / "edges.csv", index=False)
    argv = ["infer", "--expression", str(tmp_path / "expression.csv"), "--edges", str(tmp_path / "edges.csv"),
            "--epochs", "3", "--embedding-dim", "8", "--n-jobs", "1", "--top-k", "20"]
    assert main([*argv, "--quiet", "--output", str(tmp_path / "local")]) == 0
    capsys.readouterr()
    assert main([*argv, "--scheduler", client.scheduler.address, "--output", str(tmp_path / "dask")]) == 0
    err = capsys.readouterr().err
    assert "on the Dask cluster" in err
    for name in ("network_two-tower.csv", "network_cross-encoder.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    local, remote = (pd.read_csv(tmp_path / run / "metrics.csv").drop(columns="seconds") for run in ("local", "dask"))
    pd.testing.assert_frame_equal(remote, local, check_exact=True)


def test_ensemble_members_on_the_cluster_equal_local(client):
    """Ensemble members are joblib tasks: under joblib's Dask backend they train on
    the workers, with the same seeds and so the same members as a local run."""
    import joblib

    from grnfast import SeedEnsembleClassifier

    rng = np.random.default_rng(1)
    features = rng.normal(size=(60, 3))
    pairs = rng.integers(0, 60, (400, 2))
    y = (features[pairs[:, 0], 0] > features[pairs[:, 1], 1]).astype(int)
    member = CrossEncoderClassifier(node_features=features, **{**FAST, "n_jobs": None})
    local = SeedEnsembleClassifier(member, n_estimators=3, random_state=0, n_jobs=1).fit(pairs, y)
    with joblib.parallel_backend("dask"), distributed.get_task_stream(client) as tasks:
        remote = SeedEnsembleClassifier(member, n_estimators=3, random_state=0, n_jobs=-1).fit(pairs, y)
    assert len(tasks.data) >= 1  # the members ran on the worker
    np.testing.assert_array_equal(remote.seeds_, local.seeds_)
    np.testing.assert_array_equal(remote.predict_proba(pairs), local.predict_proba(pairs))
