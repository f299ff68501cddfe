"""Bad input gets a clear Python exception naming the problem, never a crash."""
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from grnfast import CrossEncoderClassifier, GRNInputError, LateInteractionClassifier, TwoTowerClassifier
from grnfast import _core

MODELS = [TwoTowerClassifier, CrossEncoderClassifier, LateInteractionClassifier]
FAST = dict(embedding_dim=4, hidden_layer_sizes=(8,), max_iter=2, early_stopping=False, random_state=0)
FEATURES = pd.DataFrame(np.random.default_rng(0).normal(size=(10, 3)), index=[f"g{i}" for i in range(10)])
PAIRS = np.array([[0, 1], [2, 3], [4, 5], [6, 7], [8, 9], [1, 0]])
Y = np.array([1, 0, 1, 0, 1, 0])


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(
    "X, error, match",
    [
        (np.array([[0, 10], [1, 2]]), IndexError, "out of range for a gene table of 10 genes"),
        (np.array([[0, -1], [1, 2]]), IndexError, "gene indices must be >= 0"),
        (np.array([[0, 1, 2], [1, 2, 3]]), ValueError, "exactly 2"),
        (np.array([0, 1, 2]), ValueError, "2-D"),
        (np.array([[0.5, 1], [1, 2]]), ValueError, "non-integer"),
        (np.array([[np.nan, 1], [1, 2]]), ValueError, "NaN"),
        (pd.DataFrame({"a": ["g0", "nope"], "b": ["g1", "g2"]}), ValueError, "unknown genes in X.*nope"),
        (np.zeros((0, 2), dtype=int), ValueError, "no pairs"),
    ],
)
def test_bad_pairs(model, X, error, match):
    with pytest.raises(error, match=match):
        model(node_features=FEATURES, **FAST).fit(X, np.arange(len(X)) % 2)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(
    "y, match",
    [
        (np.ones(6), "only one class"),
        (np.array([0, 1, 2, 0, 1, 2]), "Only binary classification"),
        (np.array([0.1, 0.5, 0.2, 0.3, 0.9, 0.7]), "continuous"),
        (np.array([0, 1, np.nan, 0, 1, 0]), "NaN"),
        (np.array([0, 1, 0]), "6 pairs but y has 3"),
        (None, "requires y"),
    ],
)
def test_bad_labels(model, y, match):
    with pytest.raises(ValueError, match=match):
        model(node_features=FEATURES, **FAST).fit(PAIRS, y)


@pytest.mark.parametrize(
    "features, match",
    [
        (FEATURES.assign(bad=[np.nan] + [0.0] * 9), "NaN or infinite"),
        (FEATURES.assign(bad=[np.inf] + [0.0] * 9), "NaN or infinite"),
        (pd.DataFrame(np.zeros((2, 2)), index=["a", "a"]), "duplicated gene names"),
        (FEATURES.assign(kind="x"), "non-numeric"),
        (np.zeros(10), "2-D"),
    ],
)
def test_bad_node_features(features, match):
    with pytest.raises(ValueError, match=match):
        CrossEncoderClassifier(node_features=features, **FAST).fit(np.array([[0, 1], [1, 0]]), [0, 1])


@pytest.mark.parametrize("model", MODELS)
def test_predict_before_fit(model):
    for method in ("predict", "predict_proba", "decision_function"):
        with pytest.raises(NotFittedError):
            getattr(model(node_features=FEATURES), method)(PAIRS)


@pytest.mark.parametrize("model", MODELS)
def test_mismatched_features_at_predict_time(model):
    est = model(node_features=FEATURES, **FAST).fit(PAIRS, Y)
    est.set_params(node_features=FEATURES.iloc[:, :2])
    with pytest.raises(ValueError, match="fitted with 10 genes and 3 node features"):
        est.predict(PAIRS)


def test_predict_with_unknown_index_or_name():
    est = CrossEncoderClassifier(node_features=FEATURES, **FAST).fit(PAIRS, Y)
    with pytest.raises(IndexError, match="out of range"):
        est.predict(np.array([[0, 99]]))
    with pytest.raises(ValueError, match="unknown genes"):
        est.predict(pd.DataFrame({"r": ["g0"], "t": ["zz"]}))


def test_sparse_X_is_refused():
    import scipy.sparse

    with pytest.raises(TypeError, match="sparse"):
        CrossEncoderClassifier(**FAST).fit(scipy.sparse.csr_matrix(PAIRS), Y)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(batch_size=1), "batch_size"),
        (dict(dropout=1.0), "dropout"),
        (dict(learning_rate_init=0), "learning_rate_init"),
        (dict(weight_decay="l1"), "weight_decay"),
        (dict(embedding_update="sparse"), "embedding_update"),
        (dict(hidden_layer_sizes=(8, 0)), "hidden_layer_sizes"),
        (dict(use_embeddings=False, use_expression=False), "no input"),
        (dict(n_jobs=0), "n_jobs"),
        (dict(alpha=np.nan), r"'alpha' parameter .* range \[0.0, inf\). Got nan"),
        (dict(alpha=np.inf), r"'alpha' parameter .* range \[0.0, inf\). Got inf"),
        (dict(tol=np.nan), "'tol' parameter"),
        (dict(tol=-np.inf), "'tol' parameter"),
        (dict(learning_rate_init=np.inf), r"'learning_rate_init' parameter .* range \(0.0, inf\)"),
        (dict(batch_size=2.5), r"'batch_size' parameter .* an int in the range \[2, inf\)"),
        (dict(embedding_dim=10**7), "'embedding_dim' parameter"),
        (dict(hidden_layer_sizes=(10**8,)), "hidden_layer_sizes must be a sequence of integers in"),
        (dict(validation_fraction=np.nan), "'validation_fraction' parameter"),
        (dict(clip_norm=np.inf), "'clip_norm' parameter"),
    ],
)
def test_bad_hyperparameters(params, match):
    with pytest.raises(ValueError, match=match):
        CrossEncoderClassifier(node_features=FEATURES, **{**FAST, **params}).fit(PAIRS, Y)


@pytest.mark.parametrize("temperature", [np.inf, np.nan, 0.0, -1.0])
def test_bad_temperature(temperature):
    with pytest.raises(ValueError, match=r"'temperature' parameter .* range \(0.0, inf\)"):
        TwoTowerClassifier(node_features=FEATURES, temperature=temperature, **FAST).fit(PAIRS, Y)


def test_huge_gene_index_without_node_features_is_refused_before_allocating():
    with pytest.raises(GRNInputError, match="1,000,000,001 genes: their 8-d embeddings would need 119 GiB"):
        CrossEncoderClassifier(**{**FAST, "embedding_dim": 8}).fit(np.array([[0, 10**9], [1, 2]] * 3), Y)


def test_sparse_node_features_are_refused():
    import scipy.sparse

    with pytest.raises(GRNInputError, match="node_features is a sparse matrix"):
        CrossEncoderClassifier(node_features=scipy.sparse.csr_matrix(FEATURES.to_numpy()), **FAST).fit(PAIRS, Y)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.filterwarnings("ignore::grnfast.models._random_negatives.RandomNegativesWarning")  # a tiny table
def test_exploding_training_stops_with_a_clear_error(model):
    """learning_rate_init=1e6 used to train without a word to probabilities of exactly 0 or 1.
    (With the dot product: cosine similarity, the late-interaction default, bounds
    the logits by 1 / temperature, so its training cannot blow them up.)"""
    dot = {"similarity": "dot"} if model is LateInteractionClassifier else {}
    with pytest.raises(FloatingPointError, match=r"training diverged at epoch .* lower learning_rate_init \(now 1000000"):
        model(node_features=FEATURES, **{**FAST, **dot, "learning_rate_init": 1e6, "clip_norm": None}).fit(
            np.tile(PAIRS, (20, 1)), np.tile(Y, 20))


def test_a_network_that_scores_every_pair_alike_warns():
    """Constant node features, no embeddings and no graph: nothing tells the pairs apart."""
    from sklearn.exceptions import ConvergenceWarning

    constant = pd.DataFrame(np.ones((10, 3)), index=FEATURES.index)
    with pytest.warns(ConvergenceWarning, match="every training pair the same score"):
        CrossEncoderClassifier(node_features=constant, use_embeddings=False, graph_dim=0,
                               **{**FAST, "early_stopping": False}).fit(PAIRS, Y)


def test_early_stopping_needs_two_of_each_class():
    with pytest.raises(ValueError, match="early stopping needs at least 2 pairs of each class"):
        CrossEncoderClassifier(node_features=FEATURES, **{**FAST, "early_stopping": True}).fit(PAIRS[:3], [1, 0, 0])


def test_engine_checks_indices_itself():
    """The C++ side refuses out-of-range ids even when Python checks are bypassed."""
    spec = _core.ModelSpec()
    spec.n_genes, spec.n_features, spec.embedding_dim, spec.hidden = 5, 0, 2, [3]
    n = _core.layout(spec)["n_params"]
    params, buffers = np.zeros(n, np.float32), np.ones(_core.layout(spec)["n_buffers"], np.float32)
    feats = np.zeros((5, 0), np.float32)
    network = _core.FittedNetwork(spec, params, buffers, feats)
    with pytest.raises(IndexError, match="outside"):
        network.predict_logits(np.array([[0, 5]]))
    with pytest.raises(IndexError, match="outside"):
        network.predict_logits(np.array([[-3, 1]]))
    with pytest.raises(ValueError, match="shape"):
        _core.FittedNetwork(spec, params[:-1], buffers, feats)
    trainer = _core.Trainer(spec, _core.AdamConfig(), 4, 1)
    with pytest.raises(IndexError, match="outside"):
        trainer.train_epoch(feats, np.array([[0, 1], [7, 2]]), np.array([0, 1], np.float32), None, 0, 0)


@pytest.mark.parametrize("model", MODELS)
def test_new_node_feature_values_are_used_at_prediction(model):
    """set_params(node_features=...) with new values of the same shape changes the
    predictions (standardised as at fit), rather than silently reusing the fit's copy."""
    est = model(node_features=FEATURES, **FAST).fit(PAIRS, Y)
    before = est.decision_function(PAIRS)
    changed = FEATURES * 3.0 + 1.0
    after = est.set_params(node_features=changed).decision_function(PAIRS)
    assert not np.array_equal(before, after)
    standardised = ((changed.to_numpy() - est.feature_mean_) / est.feature_scale_).astype(np.float32)
    np.testing.assert_array_equal(est.network_.node_features, standardised)
    np.testing.assert_array_equal(est.set_params(node_features=FEATURES).decision_function(PAIRS), before)
    with pytest.raises(GRNInputError, match="node_features names other genes than at fit"):
        est.set_params(node_features=FEATURES.iloc[::-1]).decision_function(PAIRS)
