"""Before/after check for engine changes that must not change any result.

Fits both models in several configurations on a small synthetic problem and on a
published BEELINE training split, and keeps everything the engine computes for
them: fitted weights, loss curves, probabilities for the held-out pairs,
genome-wide score blocks and every layer's output. Also the three models with the
known-edge graph and random negatives (as the default job trains them) on a prior
with hub regulators, for n_jobs 1 and 2: weights, running statistics, loss curves
and probabilities. Save with one build, rebuild,
compare with the other; every array must be bit-identical (np.array_equal).

    python bench/check_identical.py save /tmp/before.npz
    pip install -e .            # the changed engine
    python bench/check_identical.py compare /tmp/before.npz

About a minute on 2 threads. The BEELINE part needs ../shared/data (skipped
with a note when it is absent).
"""
import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from problem import real_split  # noqa: E402

from grnfast import CrossEncoderClassifier, LateInteractionClassifier, TwoTowerClassifier  # noqa: E402
from grnfast.analysis import representations  # noqa: E402
from grnfast.scoring import iter_score_blocks  # noqa: E402

SMALL = dict(embedding_dim=24, hidden_layer_sizes=(48, 16), max_iter=3, batch_size=128, random_state=0, n_jobs=2)
CONFIGS = {
    "cross": (CrossEncoderClassifier, {}),
    "cross_no_product": (CrossEncoderClassifier, dict(use_product=False)),
    "cross_features_only": (CrossEncoderClassifier, dict(use_embeddings=False, dropout=0.0)),
    "cross_no_bn": (CrossEncoderClassifier, dict(batch_norm=False, embedding_update="lazy")),
    "tower": (TwoTowerClassifier, {}),
    "tower_cosine": (TwoTowerClassifier, dict(similarity="cosine", use_expression=False)),
}


def synthetic(seed=0, n_genes=400, n_pairs=3000):
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n_genes, 7))
    # regulators recur, as in a prior: 40 of them
    pairs = np.column_stack([rng.integers(0, 40, n_pairs), rng.integers(0, n_genes, n_pairs)])
    y = (features[pairs[:, 0], 0] * features[pairs[:, 1], 1] + rng.normal(scale=0.5, size=n_pairs) > 0).astype(int)
    n_train = int(0.8 * n_pairs)
    return features, pairs[:n_train], y[:n_train], pairs[n_train:]


# The three models with the known-edge graph (graph_dim > 0) and random negatives, as
# the default job trains them, on a prior with hub regulators (one of 300 targets),
# each for n_jobs 1 and 2.
GRAPH_SMALL = dict(embedding_dim=16, hidden_layer_sizes=(32, 16), graph_dim=8, batch_size=128, max_iter=4,
                   random_negative_ratio=2.0, random_state=0)
GRAPH_CONFIGS = {
    "cross": (CrossEncoderClassifier, {}),
    "tower": (TwoTowerClassifier, {}),
    "late": (LateInteractionClassifier, {}),
    "cross_dropout": (CrossEncoderClassifier, dict(embedding_dropout=0.2)),
    "late_dot_3": (LateInteractionClassifier, dict(similarity="dot", n_vectors=3, embedding_dim=12)),
    "tower_no_features": (TwoTowerClassifier, dict(use_expression=False)),
    "late_no_embeddings": (LateInteractionClassifier, dict(use_embeddings=False)),
    "cross_defaults": (CrossEncoderClassifier, dict(embedding_dim=64, hidden_layer_sizes=(256, 128, 64),
                                                    graph_dim=64, batch_size=256, max_iter=2)),
}


def hub_prior(seed=0, n_genes=500, n_regs=30, n_features=7):
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n_genes, n_features))
    degrees = np.maximum(2, (300 / np.arange(1, n_regs + 1) ** 1.2).astype(int))
    regs = rng.choice(n_genes, n_regs, replace=False)
    edges = np.concatenate([np.column_stack([np.full(d, r), rng.choice(n_genes, d, replace=False)])
                            for r, d in zip(regs, degrees)])
    edges = edges[edges[:, 0] != edges[:, 1]]
    negatives = np.column_stack([rng.choice(regs, len(edges)), rng.integers(0, n_genes, len(edges))])
    pairs = np.concatenate([edges, negatives])
    y = np.r_[np.ones(len(edges), int), np.zeros(len(negatives), int)]
    order = rng.permutation(len(y))
    pairs, y = pairs[order], y[order]
    n_test = len(y) // 5
    return features, pairs[n_test:], y[n_test:], pairs[:n_test]


def outputs(prefix, cls, params, features, train_pairs, train_y, test_pairs):
    model = cls(node_features=features, **{**SMALL, **params}).fit(train_pairs, train_y)
    out = {
        "params": model.params_,
        "buffers": model.buffers_,
        "loss_curve": np.asarray(model.loss_curve_),
        "proba": model.predict_proba(test_pairs),
    }
    genes = np.unique(test_pairs)[:50]
    for k, (regs, tgts, logits) in enumerate(iter_score_blocks(model, genes[:20], genes, block_size=8)):
        out[f"grid{k}"] = logits
    for name, values in representations(model, test_pairs[:700]).items():
        out[f"layer.{name}"] = values
    return {f"{prefix}/{key}": np.asarray(value) for key, value in out.items()}


def graph_outputs(prefix, cls, params, features, train_pairs, train_y, test_pairs):
    model = cls(node_features=features, **params).fit(train_pairs, train_y)
    out = {"params": model.params_, "buffers": model.buffers_, "loss_curve": np.asarray(model.loss_curve_),
           "proba": model.predict_proba(test_pairs)}
    return {f"{prefix}/{key}": np.asarray(value) for key, value in out.items()}


def collect():
    result = {}
    data = synthetic()
    for name, (cls, params) in CONFIGS.items():
        result.update(outputs(f"synthetic/{name}", cls, params, *data))
    data = hub_prior()
    for name, (cls, params) in GRAPH_CONFIGS.items():
        for n_jobs in (1, 2):
            result.update(graph_outputs(f"graph/{name}/{n_jobs}", cls, {**GRAPH_SMALL, **params, "n_jobs": n_jobs},
                                        *data))
    split = real_split("Non-Specific/hHEP 500/sample1")
    if split is None:
        print("../shared/data not found: BEELINE split skipped")
    else:
        for name in ("cross", "tower"):
            cls, params = CONFIGS[name]
            result.update(outputs(f"beeline/{name}", cls, params, split.features, split.train_pairs,
                                  split.train_labels, split.test_pairs))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["save", "compare"])
    parser.add_argument("path")
    args = parser.parse_args()
    result = collect()
    if args.action == "save":
        np.savez(args.path, **result)
        print(f"saved {len(result)} arrays to {args.path}")
        return
    saved = np.load(args.path)
    differ = [key for key in saved.files if key not in result or not np.array_equal(saved[key], result[key])]
    missing = [key for key in result if key not in saved.files]
    print(f"{len(saved.files) - len(differ)} of {len(saved.files)} arrays bit-identical")
    for key in differ:
        print("DIFFERS:", key)
    for key in missing:
        print("NOT SAVED BEFORE:", key)
    sys.exit(1 if differ or missing else 0)


if __name__ == "__main__":
    main()
