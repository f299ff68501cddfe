"""The engine's fitted network (_core.FittedNetwork): built once per fitted network,
the same scores on any number of threads, layer outputs that end in the logits and
tower outputs, safe to call from several Python threads at once, never pickled
(the Python FittedNetwork rebuilds it after unpickling)."""
import pickle
import threading

import numpy as np
import pytest

from grnfast import _core


def network(kind, seed=0, n_genes=60, n_features=5):
    spec = _core.ModelSpec()
    spec.kind, spec.n_genes, spec.n_features, spec.embedding_dim = kind, n_genes, n_features, 8
    spec.hidden = [16, 8]
    layout = _core.layout(spec)
    rng = np.random.default_rng(seed)
    params = rng.normal(scale=0.3, size=layout["n_params"]).astype(np.float32)
    buffers = np.abs(rng.normal(size=layout["n_buffers"])).astype(np.float32) + 0.5
    features = rng.normal(size=(n_genes, n_features)).astype(np.float32)
    return spec, params, buffers, features


@pytest.mark.parametrize("kind", ["two_tower", "cross_encoder"])
def test_scores_for_any_thread_count_and_layer_outputs_end_in_the_logits(kind):
    spec, params, buffers, features = network(kind)
    fitted = _core.FittedNetwork(spec, params, buffers, features)
    pairs = np.random.default_rng(1).integers(0, 60, (3000, 2))
    logits = fitted.predict_logits(pairs, 2)
    np.testing.assert_array_equal(logits, fitted.predict_logits(pairs, 1))
    layers = fitted.layer_outputs(pairs, 2)
    one_thread = fitted.layer_outputs(pairs, 1)
    assert list(layers) == list(one_thread)
    for name in layers:
        np.testing.assert_array_equal(layers[name], one_thread[name])
    if kind == "cross_encoder":
        np.testing.assert_array_equal(layers["head.2"][:, 0], logits)
        grid = fitted.score_grid(np.arange(5), np.arange(60), 2)
        assert grid.shape == (5, 60) and np.isfinite(grid).all()
    else:
        assert list(layers) == ["regulator_tower.0", "regulator_tower.1", "target_tower.0", "target_tower.1"]
        u = fitted.tower_outputs(pairs[:, 0], 0, 2)
        np.testing.assert_array_equal(layers["regulator_tower.1"], u)
        scores = fitted.tower_scores(u[:4], fitted.tower_outputs(np.arange(60), 1, 2), 2)
        np.testing.assert_allclose(scores[np.arange(4), pairs[:4, 1]], logits[:4], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kind", ["two_tower", "cross_encoder"])
def test_calls_from_several_python_threads_at_once_give_the_same_scores(kind):
    fitted = _core.FittedNetwork(*network(kind))
    pairs = np.random.default_rng(2).integers(0, 60, (20000, 2))
    expected = fitted.predict_logits(pairs, 1)
    results = [None] * 4

    def score(k):
        results[k] = fitted.predict_logits(pairs, 2)

    threads = [threading.Thread(target=score, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for result in results:
        np.testing.assert_array_equal(result, expected)


def test_bad_input_is_refused_with_the_name_of_what_is_wrong():
    spec, params, buffers, features = network("cross_encoder")
    with pytest.raises(ValueError, match="params has shape"):
        _core.FittedNetwork(spec, params[:-1], buffers, features)
    with pytest.raises(ValueError, match="node_features has shape"):
        _core.FittedNetwork(spec, params, buffers, features[:, :2])
    fitted = _core.FittedNetwork(spec, params, buffers, features)
    with pytest.raises(IndexError, match="gene index 60"):
        fitted.predict_logits(np.array([[0, 60]]), 1)
    with pytest.raises(ValueError, match="tower outputs exist only for two-tower"):
        fitted.tower_outputs(np.arange(3), 0, 1)
    with pytest.raises(TypeError):
        pickle.dumps(fitted)  # the Python object that owns it rebuilds it from the arrays


def test_the_python_network_builds_the_engine_once_and_pickles_without_it():
    import grnfast
    from grnfast.models.network import FittedNetwork

    rng = np.random.default_rng(0)
    pairs, y = rng.integers(0, 40, (400, 2)), rng.integers(0, 2, 400)
    model = grnfast.CrossEncoderClassifier(embedding_dim=8, hidden_layer_sizes=(8,), max_iter=2).fit(pairs, y)
    network = model.network_
    assert isinstance(network, FittedNetwork)
    first = network.predict_logits(pairs)
    engine = network._engine()
    list(network.score_blocks(np.arange(5), np.arange(40), block_size=2))
    assert network._engine() is engine  # built once, for every call
    restored = pickle.loads(pickle.dumps(network))
    np.testing.assert_array_equal(restored.predict_logits(pairs), first)


def _groups(layout, which, array):
    return {g["name"]: array[g["offset"]:g["offset"] + g["size"]].reshape(g["shape"]) for g in layout[which]}


def cross_encoder_reference(spec, params, buffers, features, regs, tgts):
    """The cross-encoder's logits for every (regulator, target) pair in float64 NumPy,
    evaluation mode, written from the definition (no graph encoder): the input row
    [e_reg, e_tgt, x_reg, x_tgt, e_reg * e_tgt (, x_reg * x_tgt)], then each layer x W + b, batch norm
    with the running statistics and ReLU, the last layer linear."""
    layout = _core.layout(spec)
    p = {k: v.astype(np.float64) for k, v in _groups(layout, "params", params).items()}
    b = {k: v.astype(np.float64) for k, v in _groups(layout, "buffers", buffers).items()}
    r, t = np.repeat(regs, len(tgts)), np.tile(tgts, len(regs))
    x = features.astype(np.float64)
    blocks = []
    if spec.use_embeddings:
        e = p["embedding"]
        blocks += [e[r], e[t]]
    blocks += [x[r], x[t]]
    if spec.use_embeddings and spec.use_product:
        blocks.append(e[r] * e[t])
    if spec.feature_interaction:
        blocks.append(x[r] * x[t])
    h = np.concatenate(blocks, axis=1)
    n_layers = len(spec.hidden) + 1
    for layer in range(n_layers):
        h = h @ p[f"head.{layer}.weight"] + p[f"head.{layer}.bias"]
        if layer + 1 < n_layers:
            if spec.batch_norm:
                mean, var = b[f"head.{layer}.running_mean"], b[f"head.{layer}.running_var"]
                h = (h - mean) / np.sqrt(var + spec.bn_eps) * p[f"head.{layer}.bn_scale"] + p[f"head.{layer}.bn_shift"]
            h = np.maximum(h, 0)
    return h[:, 0].reshape(len(regs), len(tgts))


@pytest.mark.parametrize("variant", ["default", "no-product", "no-embeddings", "no-batch-norm", "no-hidden",
                                     "graph", "feature-interaction", "feature-interaction-no-product"])
def test_cross_encoder_grid_against_numpy_and_any_thread_count(variant):
    """Genome-wide scoring folds batch norm into the weights and tiles the grid (blocks
    of pairs, chunks of targets, groups of regulators: sizes here cross every
    boundary): the logits are the definition's to float rounding, the pairs' own
    predictions to float rounding, and bit-identical for 1, 2 and 3 threads."""
    n_genes = 900
    spec = _core.ModelSpec()
    spec.kind, spec.n_genes, spec.n_features, spec.embedding_dim = "cross_encoder", n_genes, 5, 8
    spec.hidden = [] if variant == "no-hidden" else [24, 16, 8]
    spec.use_product = variant not in ("no-product", "feature-interaction-no-product")
    spec.feature_interaction = variant.startswith("feature-interaction")
    spec.use_embeddings = variant != "no-embeddings"
    spec.batch_norm = variant != "no-batch-norm"
    spec.graph_dim = 6 if variant == "graph" else 0
    layout = _core.layout(spec)
    rng = np.random.default_rng(3)
    params = rng.normal(scale=0.5, size=layout["n_params"]).astype(np.float32)
    buffers = np.abs(rng.normal(size=layout["n_buffers"])).astype(np.float32) + 0.5
    features = rng.normal(size=(n_genes, 5)).astype(np.float32)
    edges = rng.integers(0, n_genes, (300, 2)) if variant == "graph" else None
    if edges is not None:
        edges = np.unique(edges[edges[:, 0] != edges[:, 1]], axis=0)
    fitted = _core.FittedNetwork(spec, params, buffers, features, edges)
    regs = rng.choice(n_genes, 70, replace=False)  # more than a group of 64 regulators
    tgts = np.concatenate([np.arange(n_genes), [5, 5, regs[0]]])  # chunks of 384, blocks of 192, repeats
    grid = fitted.score_grid(regs, tgts, 1)
    assert grid.shape == (len(regs), len(tgts)) and grid.dtype == np.float32
    for threads in (2, 3):
        np.testing.assert_array_equal(fitted.score_grid(regs, tgts, threads), grid)
    pairs = np.column_stack([np.repeat(regs, len(tgts)), np.tile(tgts, len(regs))])
    scale = 1 + np.abs(grid).max()
    np.testing.assert_allclose(grid.ravel(), fitted.predict_logits(pairs, 2), rtol=1e-5, atol=1e-5 * scale)
    if variant != "graph":
        expected = cross_encoder_reference(spec, params, buffers, features, regs, tgts)
        np.testing.assert_allclose(grid, expected, rtol=1e-5, atol=1e-5 * scale)
    # one target, one regulator, and no targets at all
    np.testing.assert_array_equal(fitted.score_grid(regs[:1], tgts[7:8], 2), grid[:1, 7:8])
    assert fitted.score_grid(regs, tgts[:0], 2).shape == (len(regs), 0)
