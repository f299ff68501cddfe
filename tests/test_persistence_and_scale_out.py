"""A saved model loads in a fresh process and predicts identically; a search on a
Dask cluster finds exactly what a local search finds; plots render."""
import subprocess
import sys

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV

from grnfast import CrossEncoderClassifier, TwoTowerClassifier

FAST = dict(embedding_dim=8, hidden_layer_sizes=(16, 8), max_iter=4, early_stopping=False, random_state=0)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    features = pd.DataFrame(rng.normal(size=(50, 3)), index=[f"g{i}" for i in range(50)])
    pairs = rng.integers(0, 50, (600, 2))
    y = (features.to_numpy()[pairs[:, 0], 0] > features.to_numpy()[pairs[:, 1], 1]).astype(int)
    return features, pairs, y


@pytest.mark.parametrize("model", [TwoTowerClassifier, CrossEncoderClassifier])
def test_saved_model_predicts_identically_in_a_fresh_process(model, data, tmp_path):
    features, pairs, y = data
    est = model(node_features=features, **FAST).fit(pairs, y)
    joblib.dump(est, tmp_path / "model.joblib")
    np.save(tmp_path / "pairs.npy", pairs)
    code = (
        "import joblib, numpy as np, sys; m = joblib.load(sys.argv[1]);"
        "np.save(sys.argv[3], m.predict_proba(np.load(sys.argv[2])))"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "model.joblib"), str(tmp_path / "pairs.npy"),
                    str(tmp_path / "proba.npy")], check=True, cwd=tmp_path)
    np.testing.assert_array_equal(np.load(tmp_path / "proba.npy"), est.predict_proba(pairs))


def test_grid_search_on_a_dask_cluster_matches_a_local_one(data):
    distributed = pytest.importorskip("dask.distributed")
    features, pairs, y = data
    grid = {"dropout": [0.0, 0.3], "learning_rate_init": [1e-3, 5e-3]}
    search = lambda: GridSearchCV(CrossEncoderClassifier(node_features=features, **FAST), grid, cv=2,  # noqa: E731
                                  scoring="roc_auc", n_jobs=2)
    local = search().fit(pairs, y)
    # dashboard on any free port: the default 8787 may be taken on the machine
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  host="127.0.0.1") as cluster, distributed.Client(cluster):
        with joblib.parallel_config(backend="dask"):
            remote = search().fit(pairs, y)
    assert remote.best_params_ == local.best_params_
    np.testing.assert_array_equal(remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"])


def test_plots_render(data, tmp_path):
    pytest.importorskip("matplotlib")
    from grnfast.plots import plot_roc_pr, plot_training_curves

    features, pairs, y = data
    est = CrossEncoderClassifier(node_features=features, **{**FAST, "early_stopping": True}).fit(pairs, y)
    fig = plot_roc_pr(y, {"model": est.predict_proba(pairs)[:, 1], "random": np.random.default_rng(0).random(len(y))})
    fig.savefig(tmp_path / "roc_pr.png")
    plot_training_curves(est).savefig(tmp_path / "curves.png")
    assert (tmp_path / "roc_pr.png").stat().st_size > 1000 and (tmp_path / "curves.png").stat().st_size > 1000
