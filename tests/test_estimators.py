"""The estimators as a user meets them: learning, determinism, scikit-learn
tooling, persistence, parameter counts, and Ctrl-C."""
import os
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, cross_val_score

import grnfast.genes
from grnfast import CrossEncoderClassifier, LateInteractionClassifier, TwoTowerClassifier
from grnfast.models import PUBLISHED_PARAMS
from grnfast.models._base import PICKLE_FORMAT

MODELS = [TwoTowerClassifier, CrossEncoderClassifier, LateInteractionClassifier]
# The engine's mechanics in the published configuration, small (the graph and random
# negatives have their own tests: tests/test_graph_models.py, tests/test_random_negatives.py).
FAST = dict(PUBLISHED_PARAMS, embedding_dim=16, hidden_layer_sizes=(32, 16), max_iter=40, random_state=0)


def modular_network(n_genes=240, n_modules=8, n_cell_types=8, seed=0):
    """Genes in modules with module-specific expression; regulators of module m
    target module m + 1. Edges are learnable from expression and from identity."""
    rng = np.random.default_rng(seed)
    module = rng.integers(0, n_modules, n_genes)
    profile = rng.normal(0, 1, (n_modules, n_cell_types))
    features = profile[module] + rng.normal(0, 0.3, (n_genes, n_cell_types))
    names = [f"G{i}" for i in range(n_genes)]
    node_features = pd.DataFrame(features, index=names, columns=[f"type{c}" for c in range(n_cell_types)])
    pairs = rng.integers(0, n_genes, (5000, 2))
    linked = module[pairs[:, 1]] == (module[pairs[:, 0]] + 1) % n_modules
    y = (rng.random(5000) < np.where(linked, 0.8, 0.03)).astype(int)
    return node_features, pairs, y


@pytest.fixture(scope="module")
def data():
    return modular_network()


@pytest.mark.parametrize("model", MODELS)
def test_learns_far_above_chance(model, data):
    features, pairs, y = data
    est = model(node_features=features, **FAST).fit(pairs[:4000], y[:4000])
    auroc = roc_auc_score(y[4000:], est.predict_proba(pairs[4000:])[:, 1])
    assert auroc > 0.8, auroc  # chance is 0.5
    assert est.n_iter_ == len(est.loss_curve_) == len(est.validation_scores_)
    assert est.best_validation_score_ == max(est.validation_scores_)


@pytest.mark.parametrize("extra", [{}, {"feature_interaction": True, "embedding_init": "zeros", "gene_bias": True}],
                         ids=["default", "feature-interaction"])
@pytest.mark.parametrize("model", MODELS)
def test_bit_identical_for_any_thread_count_and_repeat_fits(model, extra, data, monkeypatch):
    monkeypatch.setattr(grnfast.genes, "usable_cores", lambda: 4)  # n_jobs=3 runs 3 threads on any machine
    features, pairs, y = data
    fits = [model(node_features=features, n_jobs=n, **{**FAST, "max_iter": 3, **extra}).fit(pairs[:1500], y[:1500])
            for n in (1, 2, 3, 2)]
    reference = fits[0]
    proba = reference.predict_proba(pairs[4000:])
    for est in fits[1:]:
        np.testing.assert_array_equal(est.params_, reference.params_)
        np.testing.assert_array_equal(est.buffers_, reference.buffers_)
        np.testing.assert_array_equal(est.predict_proba(pairs[4000:]), proba)
        assert est.loss_curve_ == reference.loss_curve_
    other_seed = model(node_features=features, **{**FAST, "max_iter": 3, "random_state": 1, **extra}).fit(pairs[:1500],
                                                                                                    y[:1500])
    assert not np.array_equal(other_seed.params_, reference.params_)


NESTED_THREADS_SCRIPT = """
import numpy as np, sys
sys.path.insert(0, {tests!r})
from test_estimators import FAST, modular_network
import grnfast.genes
from grnfast import TwoTowerClassifier
grnfast.genes.usable_cores = lambda: 4  # n_jobs=4 runs 4 threads on any machine
features, pairs, y = modular_network()
fits = [TwoTowerClassifier(node_features=features, n_jobs=n, **{{**FAST, "max_iter": 2}}).fit(pairs[:1500], y[:1500])
        for n in (1, 4)]
assert np.array_equal(fits[0].params_, fits[1].params_), "n_jobs=4 with nested parallelism differs from n_jobs=1"
"""


def test_bit_identical_when_the_towers_run_side_by_side_with_nested_threads(tmp_path):
    """With nested OpenMP enabled, 4 threads run the two towers side by side with
    2 threads each: the same weights as one thread. (Nesting is fixed when the
    OpenMP runtime starts, hence a fresh process.)"""
    script = NESTED_THREADS_SCRIPT.format(tests=os.path.dirname(__file__))
    env = {**os.environ, "OMP_MAX_ACTIVE_LEVELS": "2"}
    # From a directory of its own, so that it imports the installed package, not the source tree.
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("model", MODELS)
def test_gene_names_and_indices_give_the_same_model(model, data):
    features, pairs, y = data
    names = pd.DataFrame({"regulator": features.index[pairs[:800, 0]], "target": features.index[pairs[:800, 1]]})
    by_name = model(node_features=features, **{**FAST, "max_iter": 2}).fit(names, y[:800])
    by_index = model(node_features=features, **{**FAST, "max_iter": 2}).fit(pairs[:800], y[:800])
    np.testing.assert_array_equal(by_name.params_, by_index.params_)
    np.testing.assert_array_equal(by_name.decision_function(names), by_index.decision_function(pairs[:800]))
    assert list(by_name.genes_[:3]) == ["G0", "G1", "G2"]


def test_without_node_features_the_gene_table_comes_from_X():
    rng = np.random.default_rng(0)
    pairs = rng.integers(0, 30, (2000, 2))
    y = (pairs[:, 0] % 2 == pairs[:, 1] % 2).astype(int)
    est = CrossEncoderClassifier(**{**FAST, "early_stopping": False}).fit(pairs, y)
    assert est.n_genes_ == pairs.max() + 1 and est.n_node_features_ == 0
    assert est.score(pairs, y) > 0.9
    names = pd.DataFrame({"tf": [f"g{a}" for a in pairs[:, 0]], "target": [f"g{b}" for b in pairs[:, 1]]})
    named = TwoTowerClassifier(**FAST).fit(names, y)
    assert named.n_genes_ == len(np.unique(names.to_numpy()))


@pytest.mark.parametrize("model", MODELS)
def test_clone_grid_search_and_cross_val_score(model, data):
    features, pairs, y = data
    base = model(node_features=features, **{**FAST, "max_iter": 10, "early_stopping": False})
    assert clone(base).get_params()["node_features"] is not features  # deep-copied, as sklearn does
    scores = cross_val_score(base, pairs[:3000], y[:3000], cv=3, scoring="roc_auc")
    assert scores.shape == (3,) and (scores > 0.6).all()
    search = GridSearchCV(base, {"dropout": [0.0, 0.3], "alpha": [0.0, 0.01]}, cv=2, scoring="roc_auc")
    search.fit(pairs[:3000], y[:3000])
    assert set(search.best_params_) == {"dropout", "alpha"}
    assert search.best_estimator_.n_parameters_ == base.count_parameters()


@pytest.mark.parametrize("model", MODELS)
def test_pickle_round_trip_predicts_identically(model, data, tmp_path):
    features, pairs, y = data
    est = model(node_features=features, **{**FAST, "max_iter": 3}).fit(pairs[:1000], y[:1000])
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(est))
    loaded = pickle.loads(path.read_bytes())
    np.testing.assert_array_equal(loaded.predict_proba(pairs[4000:]), est.predict_proba(pairs[4000:]))


def test_loading_a_model_of_another_pickle_format_fails_clearly(data):
    features, pairs, y = data
    est = CrossEncoderClassifier(node_features=features, **{**FAST, "max_iter": 1}).fit(pairs[:500], y[:500])
    state = est.__getstate__()
    assert state["_grnfast_format"] == PICKLE_FORMAT
    state["_grnfast_format"] = PICKLE_FORMAT + 1
    with pytest.raises(ValueError, match=f"saved in grnfast pickle format {PICKLE_FORMAT + 1} .* reads formats "
                                         f"2, {PICKLE_FORMAT}"):
        CrossEncoderClassifier().__setstate__(dict(state))
    del state["_grnfast_format"]  # a pickle from before formats were numbered
    with pytest.raises(ValueError, match="pickle format unknown"):
        CrossEncoderClassifier().__setstate__(state)


def test_published_configuration_sizes():
    """The published comparison: 10,000 genes, 11 cell-type features, the published configuration."""
    ce = CrossEncoderClassifier(**PUBLISHED_PARAMS).count_parameters(n_genes=10000, n_node_features=11)
    tt = TwoTowerClassifier(**PUBLISHED_PARAMS).count_parameters(n_genes=10000, n_node_features=11)
    # Embedding table 10,000 x 512 plus the head / the two towers.
    assert ce == 10000 * 512 + (1558 * 256 + 256) + (256 * 128 + 128) + (128 * 64 + 64) + (64 + 1) + 2 * (256 + 128 + 64)
    assert tt == 10000 * 512 + 2 * ((523 * 256 + 256) + (256 * 128 + 128) + (128 * 64 + 64) + 2 * (256 + 128))
    assert abs(ce - 5.58e6) / 5.58e6 < 0.01


@pytest.mark.parametrize(
    "params",
    [
        dict(use_product=False),
        dict(use_expression=False),
        dict(use_embeddings=False),
        dict(batch_norm=False),
        dict(dropout=0.0),
        dict(weight_decay="decoupled"),
        dict(embedding_update="lazy"),
        dict(clip_norm=0.01),  # so small that every step is clipped
        dict(class_weight="balanced"),
    ],
)
def test_switches_train_and_change_the_model(params, data):
    features, pairs, y = data
    short = {**FAST, "max_iter": 10, "early_stopping": False}
    base = CrossEncoderClassifier(node_features=features, **short).fit(pairs[:3000], y[:3000])
    est = CrossEncoderClassifier(node_features=features, **{**short, **params}).fit(pairs[:3000], y[:3000])
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    if est.use_expression:  # embeddings alone need more than 10 epochs on this data
        assert roc_auc_score(y[4000:], est.predict_proba(pairs[4000:])[:, 1]) > 0.6
    assert not np.array_equal(est.predict_proba(pairs[4000:]), base.predict_proba(pairs[4000:]))


def test_two_tower_cosine_and_explicit_validation_set(data):
    features, pairs, y = data
    est = TwoTowerClassifier(node_features=features, similarity="cosine", temperature=0.1, **FAST)
    est.fit(pairs[:3000], y[:3000], eval_set=(pairs[3000:4000], y[3000:4000]))
    assert roc_auc_score(y[4000:], est.predict_proba(pairs[4000:])[:, 1]) > 0.8
    assert len(est.validation_scores_) == est.n_iter_


@pytest.mark.parametrize("model", MODELS)
def test_kept_weights_are_those_of_the_best_validation_epoch(model, data):
    """Validation is scored from the trainer's own weights each epoch; the weights
    kept at the end must score exactly that best validation AUROC."""
    features, pairs, y = data
    X_val, y_val = pairs[3000:4000], y[3000:4000]
    est = model(node_features=features, **{**FAST, "max_iter": 8}).fit(pairs[:3000], y[:3000], eval_set=(X_val, y_val))
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert roc_auc_score(y_val, est.decision_function(X_val)) == est.best_validation_score_


def test_verbose_prints_one_line_per_epoch(data, capsys):
    features, pairs, y = data
    est = CrossEncoderClassifier(node_features=features, verbose=1, **{**FAST, "max_iter": 3}).fit(pairs[:600], y[:600])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == est.n_iter_ == 3
    assert "loss" in lines[0] and "validation AUROC" in lines[0]


def test_named_parameters_are_views_with_shapes(data):
    features, pairs, y = data
    est = TwoTowerClassifier(node_features=features, **{**FAST, "max_iter": 1}).fit(pairs[:500], y[:500])
    named = est.named_parameters()
    assert named["embedding"].shape == (240, 16)
    assert named["regulator_tower.0.weight"].shape == (16 + 8, 32)
    assert sum(v.size for v in named.values()) == est.n_parameters_


CTRL_C_SCRIPT = """
import os, signal, threading
import numpy as np
from grnfast import CrossEncoderClassifier
rng = np.random.default_rng(0)
pairs = rng.integers(0, 2000, (200000, 2))
y = rng.integers(0, 2, 200000)
est = CrossEncoderClassifier(embedding_dim=64, max_iter=1000, early_stopping=False, n_iter_no_change=1000,
                             graph_dim=0, random_negative_ratio=0.0, random_state=0)
# A shell's background job starts with SIGINT ignored, and Python keeps that: restore
# Python's own handler so the test means the same wherever it runs.
signal.signal(signal.SIGINT, signal.default_int_handler)
threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
try:
    est.fit(pairs, y)
except KeyboardInterrupt:
    print("interrupted", hasattr(est, "params_"))
"""


def test_ctrl_c_stops_fit_with_keyboard_interrupt(tmp_path):
    """In a fresh interpreter (run in tmp_path, so the installed package is imported)."""
    result = subprocess.run([sys.executable, "-c", CTRL_C_SCRIPT], capture_output=True, text=True, timeout=300,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "interrupted False"


def test_callbacks_see_every_epoch_and_can_stop_training(data):
    features, pairs, y = data
    seen = []
    est = CrossEncoderClassifier(node_features=features, **{**FAST, "max_iter": 10})
    est.fit(pairs[:600], y[:600], callbacks=[seen.append, lambda report: report["epoch"] == 4])
    assert [r["epoch"] for r in seen] == [1, 2, 3, 4] and est.n_iter_ == 4
    assert seen[-1]["loss"] == est.loss_curve_[-1] and seen[-1]["validation_score"] == est.validation_scores_[-1]
