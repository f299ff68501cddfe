"""Both models with the known-edge graph: which edges enter the graph, that no pair
learns from its own edge, scoring paths, and determinism across threads."""
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from grnfast import CrossEncoderClassifier, TwoTowerClassifier
from grnfast import _core
from grnfast.scoring import iter_score_blocks

SMALL = dict(embedding_dim=8, hidden_layer_sizes=(16, 8), graph_dim=6, batch_size=32, max_iter=4, random_state=0)
MODELS = [CrossEncoderClassifier, TwoTowerClassifier]


def labelled_pairs(n_genes=60, n_pos=150, seed=0):
    """Distinct random positives and as many distinct random non-edges."""
    rng = np.random.default_rng(seed)
    cells = rng.permutation(n_genes * n_genes)[: 2 * n_pos]
    pairs = np.column_stack([cells // n_genes, cells % n_genes]).astype(np.int64)
    y = np.r_[np.ones(n_pos, int), np.zeros(n_pos, int)]
    order = rng.permutation(len(y))
    return pairs[order], y[order], rng.standard_normal((n_genes, 5))


def as_set(edges):
    return {tuple(e) for e in np.asarray(edges).tolist()}


@pytest.mark.parametrize("Model", MODELS)
def test_graph_holds_the_training_positives_only(Model):
    pairs, y, features = labelled_pairs(n_pos=190)  # 380 distinct pairs
    train, val = slice(0, 300), slice(300, None)
    model = Model(features, **SMALL).fit(pairs[train], y[train], eval_set=(pairs[val], y[val]))
    assert as_set(model.graph_edges_) == as_set(pairs[train][y[train] == 1])
    assert not as_set(model.graph_edges_) & as_set(pairs[val])
    # The automatic validation split is taken out before the graph is built.
    auto = Model(features, **SMALL, validation_fraction=0.3).fit(pairs[train], y[train])
    assert as_set(auto.graph_edges_) < as_set(pairs[train][y[train] == 1])
    assert len(auto.graph_edges_) == pytest.approx(0.7 * (y[train] == 1).sum(), abs=2)
    assert Model(features, **{**SMALL, "graph_dim": 0}).fit(pairs[train], y[train]).graph_edges_ is None


@pytest.mark.parametrize("Model", MODELS)
def test_training_does_not_depend_on_the_validation_pairs(Model):
    """Moving a positive into or out of the validation set changes no training input:
    the graph and the training trajectory stay bit-identical."""
    pairs, y, features = labelled_pairs()
    val_pairs, val_y = pairs[:40], y[:40]
    train_pairs, train_y = pairs[40:], y[40:]
    params = {**SMALL, "n_iter_no_change": 100}
    with_all = Model(features, **params).fit(train_pairs, train_y, eval_set=(val_pairs, val_y))
    one_out = np.flatnonzero(val_y == 1)[0]
    keep = np.arange(40) != one_out
    with_fewer = Model(features, **params).fit(train_pairs, train_y, eval_set=(val_pairs[keep], val_y[keep]))
    np.testing.assert_array_equal(with_all.graph_edges_, with_fewer.graph_edges_)
    assert with_all.loss_curve_ == with_fewer.loss_curve_


@pytest.mark.parametrize("Model", MODELS)
def test_graph_membership_alone_scores_held_out_pairs_at_chance(Model):
    """A task whose only signal is "the edge is known": positives and negatives are
    random pairs, node features are noise and there are no embeddings. A model that
    had seen its training pairs' own edges would learn membership and score held-out
    positives high once their edges are in the graph; trained with the two folds it
    never sees its own edge, so held-out pairs score at chance even then."""
    n_genes = 400
    pairs, y, _ = labelled_pairs(n_genes=n_genes, n_pos=600, seed=3)
    features = np.random.default_rng(4).standard_normal((n_genes, 8))
    train, test = slice(0, 840), slice(840, None)
    model = Model(features, use_embeddings=False, hidden_layer_sizes=(32,), graph_dim=16, batch_size=64,
                  max_iter=15, early_stopping=False, random_state=0).fit(pairs[train], y[train])
    # Prediction with the held-out positives' edges added to the known ones.
    network = model.network_
    network.graph_edges = np.concatenate([model.graph_edges_, pairs[test][y[test] == 1]])
    logits = network.predict_logits(pairs[test])
    assert roc_auc_score(y[test], logits) < 0.6


@pytest.mark.parametrize("Model", MODELS)
def test_bit_identical_for_any_thread_count(Model):
    pairs, y, features = labelled_pairs()
    fits = [Model(features, **SMALL, n_jobs=k).fit(pairs, y) for k in (1, 2, 3, 2)]
    for other in fits[1:]:
        np.testing.assert_array_equal(fits[0].params_, other.params_)
        np.testing.assert_array_equal(fits[0].buffers_, other.buffers_)
        assert fits[0].loss_curve_ == other.loss_curve_
        np.testing.assert_array_equal(fits[0].predict_proba(pairs), other.predict_proba(pairs))


@pytest.mark.parametrize("Model", MODELS)
def test_genome_wide_scores_match_pair_predictions(Model):
    pairs, y, features = labelled_pairs()
    model = Model(features, **SMALL).fit(pairs, y)
    regs, tgts = np.arange(0, 60, 7), np.arange(60)
    blocks = list(iter_score_blocks(model, regs, tgts, block_size=4))
    grid = np.concatenate([logits for _, _, logits in blocks])
    every_pair = np.column_stack([np.repeat(regs, len(tgts)), np.tile(tgts, len(regs))])
    np.testing.assert_allclose(grid.ravel(), model.decision_function(every_pair), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("Model", MODELS)
def test_pickled_model_reads_its_graph(Model):
    import pickle

    pairs, y, features = labelled_pairs()
    model = Model(features, **SMALL).fit(pairs, y)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.graph_edges_, model.graph_edges_)
    np.testing.assert_array_equal(again.predict_proba(pairs), model.predict_proba(pairs))


@pytest.mark.parametrize("bad", [-1, 2.5, "8"])
def test_bad_graph_dim_is_rejected(bad):
    pairs, y, features = labelled_pairs()
    with pytest.raises(ValueError, match="graph_dim"):
        CrossEncoderClassifier(features, graph_dim=bad).fit(pairs, y)


def test_engine_asks_for_the_graph():
    spec = _core.ModelSpec()
    spec.n_genes, spec.embedding_dim, spec.hidden, spec.graph_dim = 4, 3, [4], 2
    layout = _core.layout(spec)
    params, buffers = np.zeros(layout["n_params"], np.float32), np.zeros(layout["n_buffers"], np.float32)
    features = np.zeros((4, 0), np.float32)
    with pytest.raises(ValueError, match="pass graph_edges"):
        _core.FittedNetwork(spec, params, buffers, features).predict_logits(np.array([[0, 1]]))
    with pytest.raises(IndexError, match="graph edge 0 has gene index 9"):
        _core.FittedNetwork(spec, params, buffers, features, graph_edges=np.array([[0, 9]])).predict_logits(
            np.array([[0, 1]]))
    trainer = _core.Trainer(spec, _core.AdamConfig(), 4, 2)
    pairs, y = np.array([[0, 1], [2, 3], [1, 2]]), np.array([1.0, 0.0, 1.0], np.float32)
    with pytest.raises(ValueError, match="none was given"):
        trainer.predict_logits(np.zeros((4, 0), np.float32), pairs)
    with pytest.raises(ValueError, match="give the trainer one first"):
        trainer.train_epoch(np.zeros((4, 0), np.float32), pairs, y, None, 0, 0)
