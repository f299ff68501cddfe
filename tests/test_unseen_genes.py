"""Genes a model never saw: embedding dropout to a shared learned unknown-gene row.

With ``embedding_dropout=p > 0`` the embedding table has one more row, the unknown
gene's. In training each (pair, role) occurrence reads it instead of its gene's row
with probability p (a draw keyed by seed, epoch, sample and role), and a gene that no
training pair has always does; at prediction every gene training never saw
(``seen_genes_`` False) reads it, in every scoring path. Here: its gradient, the
draws, bit-identical fits for any thread count, unseen genes scored through it
everywhere, persistence.
"""
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score

import grnfast.genes
from grnfast import CrossEncoderClassifier, LateInteractionClassifier, TwoTowerClassifier
from grnfast import _core
from grnfast import _core_testing as T
from grnfast.models import PUBLISHED_PARAMS
from grnfast.models._base import PICKLE_FORMAT
from grnfast.models.network import FittedNetwork, seen_in
from grnfast.scoring import rank_edges
from test_gradients import check_whole_model, make_spec, model_specs, whole_model_problem

MODELS = [TwoTowerClassifier, CrossEncoderClassifier, LateInteractionClassifier]
SMALL = dict(embedding_dim=8, hidden_layer_sizes=(16, 8), graph_dim=4, max_iter=3, random_negative_ratio=2.0,
             random_state=0)


# ---- the gradient ------------------------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(spec_dict=model_specs, seed=st.integers(0, 2**31 - 1), batch=st.integers(2, 8),
       embedding_dropout=st.sampled_from([0.3, 0.7]), with_graph=st.booleans(), n_edges=st.integers(0, 10))
def test_whole_model_gradients_with_the_unknown_row(spec_dict, seed, batch, embedding_dropout, with_graph, n_edges):
    """Every parameter group, the unknown row's too, and the node features, in float64:
    occurrences dropped by the draw and genes marked unseen read the unknown row, and
    its gradient is the sum of theirs."""
    assume(spec_dict["use_embeddings"])
    spec = make_spec({**spec_dict, "embedding_dropout": embedding_dropout, "graph_dim": 3 if with_graph else 0,
                      "kind": spec_dict["kind"] if seed % 3 else "late_interaction", "n_vectors": 2})
    rng, layout, params, buffers, features, pairs, y = whole_model_problem(spec, seed, batch)
    names = [g["name"] for g in layout["params"]]
    assert names[:2] == ["embedding", "unknown_embedding"]
    unknown = layout["params"][1]
    assert unknown["offset"] == spec.n_genes * spec.embedding_dim and unknown["shape"] == (1, spec.embedding_dim)
    params[unknown["offset"] : unknown["offset"] + unknown["size"]] = rng.standard_normal(unknown["size"])
    seen = rng.random((spec.n_genes, 2)) < 0.6
    # The graph holds only edges of genes seen in their roles (as the training positives do).
    regs, tgts = np.flatnonzero(seen[:, 0]), np.flatnonzero(seen[:, 1])
    m = n_edges if len(regs) and len(tgts) else 0
    edges = np.column_stack([regs[rng.integers(0, max(len(regs), 1), m)],
                             tgts[rng.integers(0, max(len(tgts), 1), m)]]) if with_graph else None
    extra = dict(graph_edges=edges, seen_genes=seen) if with_graph else dict(seen_genes=seen)
    grad = check_whole_model(spec, layout, params, buffers, features, pairs, y, rng, seed=seed, epoch=2, **extra)
    # The training path (no feature gradient asked for) gives the same parameter gradient.
    np.testing.assert_array_equal(T.loss_and_grad(spec, params, buffers, features, pairs, y, None, seed=seed,
                                                  epoch=2, **extra)[1], grad)


def unknown_row_gradient(spec, seen, pairs, seed=0):
    layout = _core.layout(spec)
    rng, _, params, buffers, features, _, _ = whole_model_problem(spec, 1, 2)
    y = np.arange(len(pairs)) % 2.0
    grad = T.loss_and_grad(spec, params, buffers, features, pairs, y, None, seed=seed, seen_genes=seen)[1]
    group = layout["params"][1]
    return grad[group["offset"] : group["offset"] + group["size"]], grad[: group["offset"]].reshape(spec.n_genes, -1)


def test_unseen_genes_train_the_unknown_row_and_not_their_own():
    spec = make_spec({"kind": "cross_encoder", "n_genes": 6, "n_features": 2, "embedding_dim": 3, "hidden": [4],
                      "embedding_dropout": 1e-9})  # the row exists; the draw (threshold 0) never drops
    pairs = np.array([[0, 1], [2, 3], [0, 3], [2, 1]])
    d_unknown, d_rows = unknown_row_gradient(spec, np.ones((6, 2), bool), pairs)
    assert not d_unknown.any() and d_rows[[0, 1, 2, 3]].any(axis=1).all()
    seen = np.ones((6, 2), bool)
    seen[1] = False  # gene 1 (a target here) in neither role
    d_unknown, d_rows = unknown_row_gradient(spec, seen, pairs)
    assert d_unknown.any() and not d_rows[1].any()
    seen = np.ones((6, 2), bool)
    seen[1, 0] = False  # seen as a target: its own row as a target
    d_unknown, d_rows = unknown_row_gradient(spec, seen, pairs)
    assert not d_unknown.any() and d_rows[1].any()


# ---- the draws ---------------------------------------------------------------------

def test_draws_are_keyed_by_seed_epoch_and_sample():
    samples = np.arange(20000)
    mask = T.embedding_dropout_mask(7, 3, samples, 0.25)
    assert mask.shape == (20000, 2)
    assert abs(mask.mean() - 0.25) < 0.01
    assert abs(np.corrcoef(mask[:, 0], mask[:, 1])[0, 1]) < 0.03  # the two roles draw apart
    order = np.random.default_rng(0).permutation(samples)
    np.testing.assert_array_equal(T.embedding_dropout_mask(7, 3, order, 0.25), mask[order])  # by sample, not position
    assert not np.array_equal(T.embedding_dropout_mask(7, 4, samples, 0.25), mask)
    assert not np.array_equal(T.embedding_dropout_mask(8, 3, samples, 0.25), mask)
    assert not T.embedding_dropout_mask(7, 3, samples, 0.0).any()


# ---- fitted models -----------------------------------------------------------------

def feature_pairs(n_genes=120, n_features=6, n_pairs=3000, seed=0, held_out=20):
    """Labels from the two genes' features alone (the sign of their dot product); the
    last ``held_out`` genes appear in no training pair."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_genes, n_features))
    pairs = rng.integers(0, n_genes - held_out, (n_pairs, 2))
    y = (np.einsum("ij,ij->i", X[pairs[:, 0]], X[pairs[:, 1]]) > 0).astype(int)
    return X, pairs, y


@pytest.fixture(scope="module")
def fitted():
    X, pairs, y = feature_pairs()
    X[-1] = X[-2]  # two unseen genes with identical features
    return X, {cls: cls(node_features=X, embedding_dropout=0.3, **SMALL).fit(pairs, y) for cls in MODELS}


@pytest.mark.parametrize("cls", MODELS)
def test_the_model_records_the_genes_it_saw(cls, fitted):
    X, models = fitted
    model = models[cls]
    assert model.seen_genes_.dtype == bool and model.seen_genes_.shape == (len(X), 2)
    assert model.seen_genes_[:100].all() and not model.seen_genes_[100:].any()
    assert model.named_parameters()["embedding"].shape == (len(X), 8)
    assert model.named_parameters()["unknown_embedding"].shape == (1, 8)


@pytest.mark.parametrize("cls", MODELS)
def test_unseen_genes_are_scored_through_the_unknown_row_everywhere(cls, fitted):
    X, models = fitted
    model = models[cls]
    net = model.network_
    n = len(X)
    genes = np.arange(n)
    # Two unseen genes with identical features score identically, in either role, in
    # predict_proba, genome-wide scoring and the network's parts.
    a, b = n - 2, n - 1
    partners = np.arange(0, n, 7)
    for role in (0, 1):
        rows = np.array([[a, t] if role == 0 else [t, a] for t in partners] +
                        [[b, t] if role == 0 else [t, b] for t in partners])
        p = model.predict_proba(rows)[:, 1]
        np.testing.assert_array_equal(p[: len(partners)], p[len(partners) :])
    blocks = list(net.score_blocks(genes, genes, block_size=50))
    grid = np.vstack([logits for _, _, logits in blocks])
    np.testing.assert_array_equal(grid[a], grid[b])
    np.testing.assert_array_equal(grid[:, a], grid[:, b])
    # Every path gives the same scores: predict_logits of every pair equals the grid.
    every = np.column_stack([np.repeat(genes, n), np.tile(genes, n)])
    np.testing.assert_allclose(net.predict_logits(every).reshape(n, n), grid, rtol=1e-5, atol=1e-5)
    edges = rank_edges(model, top_k=None, exclude_self=False, weight="logit")
    assert len(edges) == n * n
    if net.has_towers:
        for role in ("regulator", "target"):
            u = net.tower_outputs(genes, role)
            np.testing.assert_array_equal(u[a], u[b])
    layers = net.layer_outputs(np.array([[a, 0], [b, 0]]))
    for values in layers.values():
        np.testing.assert_array_equal(values[0], values[1])
    # Without the record of seen genes, the unseen genes' own (untrained) rows differ.
    own_rows = FittedNetwork(net.spec, net.params, net.buffers, net.node_features, net.genes, 1,
                             graph_edges=net.graph_edges)
    own = own_rows.predict_logits(np.array([[a, 0], [b, 0]]))
    assert own[0] != own[1]
    seen_pairs = every[model.seen_genes_[every[:, 0], 0] & model.seen_genes_[every[:, 1], 1]]
    np.testing.assert_array_equal(own_rows.predict_logits(seen_pairs), net.predict_logits(seen_pairs))


@pytest.mark.parametrize("cls", MODELS)
def test_a_gene_seen_in_one_role_only_keeps_its_own_row_in_both(cls):
    """A held-out regulator that training saw only as a target: its one embedding
    row, trained through its target role, serves it as a regulator too, not the
    unknown row, which only a gene no training pair has reads."""
    X, pairs, y = feature_pairs(seed=4)
    keep = pairs[:, 0] != 5
    assert (pairs[keep, 1] == 5).any()
    X[110] = X[5]  # an unseen gene with gene 5's features
    model = cls(node_features=X, embedding_dropout=0.3, **SMALL).fit(pairs[keep], y[keep])
    assert model.seen_genes_[5].tolist() == [True, True]
    assert model.seen_genes_[110].tolist() == [False, False]
    targets = np.arange(0, 100, 3)
    for rows in (lambda g: np.column_stack([np.full(len(targets), g), targets]),
                 lambda g: np.column_stack([targets, np.full(len(targets), g)])):
        assert not np.array_equal(model.decision_function(rows(5)), model.decision_function(rows(110)))
    # Read through its own row: the same scores as a network whose flags say so.
    net = model.network_
    own_rows = FittedNetwork(net.spec, net.params, net.buffers, net.node_features, net.genes,
                             graph_edges=net.graph_edges, seen_genes=np.ones_like(net.seen_genes))
    as_regulator = np.column_stack([np.full(len(targets), 5), targets])
    np.testing.assert_array_equal(own_rows.predict_logits(as_regulator), net.predict_logits(as_regulator))


def test_seen_in_gives_a_gene_of_either_role_both():
    seen = seen_in(np.array([[0, 1], [2, 1]]), 5)
    assert seen.tolist() == [[True, True], [True, True], [True, True], [False, False], [False, False]]


@pytest.mark.parametrize("cls", MODELS)
def test_bit_identical_for_any_thread_count(cls, monkeypatch):
    monkeypatch.setattr(grnfast.genes, "usable_cores", lambda: 4)
    X, pairs, y = feature_pairs(seed=1)
    fits = [cls(node_features=X, embedding_dropout=0.3, n_jobs=n, **SMALL).fit(pairs, y) for n in (1, 2)]
    np.testing.assert_array_equal(fits[0].params_, fits[1].params_)
    np.testing.assert_array_equal(fits[0].buffers_, fits[1].buffers_)
    assert fits[0].loss_curve_ == fits[1].loss_curve_
    every = np.column_stack([np.repeat(np.arange(120), 120), np.tile(np.arange(120), 120)])
    np.testing.assert_array_equal(fits[0].predict_proba(every), fits[1].predict_proba(every))
    other = cls(node_features=X, embedding_dropout=0.5, n_jobs=1, **SMALL).fit(pairs, y)
    assert not np.array_equal(other.params_, fits[0].params_)


def test_without_embedding_dropout_the_model_is_the_one_before():
    """p = 0: no unknown row, no draws, every gene through its own row (the published
    configuration keeps it), and the parameters start as they would with the row."""
    X, pairs, y = feature_pairs(seed=2)
    off = TwoTowerClassifier(node_features=X, embedding_dropout=0.0, **SMALL).fit(pairs, y)
    assert "unknown_embedding" not in off.named_parameters()
    assert PUBLISHED_PARAMS["embedding_dropout"] == 0.0
    on = TwoTowerClassifier(node_features=X, embedding_dropout=0.3, **{**SMALL, "max_iter": 1})
    from grnfast.models._parameters import initial_parameters
    from grnfast.models.network import layout
    spec = on._spec_dict(len(X), X.shape[1])
    p_on, _ = initial_parameters(layout(spec), np.random.RandomState(0))
    p_off, _ = initial_parameters(layout({**spec, "embedding_dropout": 0.0}), np.random.RandomState(0))
    rows = len(X) * 8
    np.testing.assert_array_equal(p_on[:rows], p_off[:rows])
    assert not p_on[rows : rows + 8].any()
    np.testing.assert_array_equal(p_on[rows + 8 :], p_off[rows:])


@pytest.mark.parametrize("cls", MODELS)
def test_pickle_round_trip(cls, fitted, tmp_path):
    X, models = fitted
    model = models[cls]
    every = np.column_stack([np.repeat(np.arange(120), 120), np.tile(np.arange(120), 120)])
    loaded = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(loaded.seen_genes_, model.seen_genes_)
    np.testing.assert_array_equal(loaded.predict_proba(every), model.predict_proba(every))
    assert loaded.__getstate__()["_grnfast_format"] == PICKLE_FORMAT


def test_a_format_2_pickle_loads_as_it_was_saved():
    """Format 2 (before embedding dropout) had no unknown row: it loads with
    embedding_dropout=0 and seen_genes_=None, every gene through its own row."""
    X, pairs, y = feature_pairs(seed=3)
    model = CrossEncoderClassifier(node_features=X, embedding_dropout=0.0, **SMALL).fit(pairs, y)
    state = model.__getstate__()
    state["_grnfast_format"] = 2
    del state["embedding_dropout"], state["seen_genes_"]
    state["spec_"] = {k: v for k, v in state["spec_"].items() if k != "embedding_dropout"}
    old = CrossEncoderClassifier.__new__(CrossEncoderClassifier)
    old.__setstate__(state)
    assert old.embedding_dropout == 0.0 and old.seen_genes_ is None
    every = np.column_stack([np.repeat(np.arange(120), 120), np.tile(np.arange(120), 120)])
    np.testing.assert_array_equal(old.predict_proba(every), model.predict_proba(every))


# ---- the feature-only pair task (issue 25) -------------------------------------------

FEATURES_MEET = {"feature_interaction": True, "embedding_init": "zeros"}

def feature_only_task(n_genes=300, n_features=11, n_train=2400, n_test=2400, noise=0.1, seed=0):
    """Labels from the two genes' features alone: the sign of their dot product (over
    sqrt(n_features)) plus Gaussian noise. A fifth of the genes appear in no training
    pair; the test pairs are half pairs of seen genes, half pairs with an unseen gene
    (in either role). Returns features, training pairs and labels, test pairs and
    labels, and the number of test pairs of seen genes (they come first)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_genes, n_features))
    unseen = rng.permutation(n_genes)[: n_genes // 5]
    seen = np.setdiff1d(np.arange(n_genes), unseen)

    def label(pairs):
        s = np.einsum("ij,ij->i", X[pairs[:, 0]], X[pairs[:, 1]]) / np.sqrt(n_features)
        return (s + noise * rng.standard_normal(len(pairs)) > 0).astype(int)

    train = seen[rng.integers(0, len(seen), (n_train, 2))]
    test_seen = seen[rng.integers(0, len(seen), (n_test // 2, 2))]
    test_unseen = np.column_stack([rng.integers(0, n_genes, n_test // 2), unseen[rng.integers(0, len(unseen), n_test // 2)]])
    flip = rng.random(n_test // 2) < 0.5
    test_unseen[flip] = test_unseen[flip][:, ::-1]
    test = np.concatenate([test_seen, test_unseen])
    return X, train, label(train), test, label(test), len(test_seen)


@pytest.fixture(scope="module")
def feature_only():
    from sklearn.neural_network import MLPClassifier

    X, train, y_train, test, y_test, n_seen = feature_only_task()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPClassifier(random_state=0, max_iter=500).fit(np.hstack([X[train[:, 0]], X[train[:, 1]]]), y_train)
    reference = roc_auc_score(y_test, mlp.predict_proba(np.hstack([X[test[:, 0]], X[test[:, 1]]]))[:, 1])
    scores = {}
    # The default; embedding dropout off and on; the feature interaction with zero embeddings.
    for p in (None, 0.0, 0.1, "features"):
        for cls in MODELS:  # the default architecture; random negatives off (the labels are dense)
            params = ({} if p is None else FEATURES_MEET if p == "features" else {"embedding_dropout": p})
            model = cls(node_features=X, random_negative_ratio=0.0, random_state=0, n_jobs=1, **params)
            proba = model.fit(train, y_train).predict_proba(test)[:, 1]
            scores[cls, p] = {"all": roc_auc_score(y_test, proba),
                              "seen": roc_auc_score(y_test[:n_seen], proba[:n_seen]),
                              "unseen": roc_auc_score(y_test[n_seen:], proba[n_seen:])}
    return reference, scores


@pytest.mark.parametrize("cls", MODELS)
def test_feature_only_task_genes_never_seen_are_scored_from_their_features(cls, feature_only):
    """With embedding dropout, pairs with a gene that no training pair has are ranked
    from the features (through the unknown row) as well as pairs of genes training
    saw, and better than through their untrained rows (embedding_dropout=0)."""
    reference, scores = feature_only
    assert reference > 0.96  # the task is learnable from the features
    on, off = scores[cls, 0.1], scores[cls, 0.0]
    assert on["unseen"] > 0.6 and on["unseen"] >= on["seen"] - 0.03, on
    assert on["unseen"] > off["unseen"] + 0.03, (on, off)


@pytest.mark.xfail(strict=True, reason=(
    "issue 25's bar, not met by the defaults: on this task MLPClassifier reaches AUROC 0.970, the default "
    "architecture 0.50-0.64. With feature_interaction=True and embedding_init='zeros' the three models reach "
    "0.95-0.99 (the test below); they are not the defaults because on BEELINE validation pairs they cost the "
    "two-tower 0.07-0.11 AUROC under the published and degree-controlled protocols (docs/results.md, "
    "'Candidate defaults on every protocol'). embedding_init='zeros' alone reaches 0.83-0.87 and costs cold "
    "regulators; the two-tower with it and one layer of 256 reaches 0.981 and loses 0.015-0.142 validation AUROC "
    "on 14 of the 16 BEELINE cells (docs/guide.md, 'Letting the features meet')"))
@pytest.mark.parametrize("cls", MODELS)
def test_feature_only_task_within_003_of_mlp(cls, feature_only):
    reference, scores = feature_only
    assert scores[cls, None]["all"] >= reference - 0.03, (scores[cls, None], reference)


@pytest.mark.parametrize("cls", MODELS)
def test_feature_only_task_within_003_of_mlp_when_the_features_meet(cls, feature_only):
    """With the feature interaction and zero-initialised embeddings (no random
    identity to fit), each model reads the pair from the features as well as
    scikit-learn's MLP on the concatenated rows, for genes seen and unseen alike."""
    reference, scores = feature_only
    ours = scores[cls, "features"]
    assert ours["all"] >= reference - 0.03, (ours, reference)
    assert ours["unseen"] >= reference - 0.04, (ours, reference)
