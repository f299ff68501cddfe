"""The choice of the estimators' defaults, on validation pairs only: each candidate
configuration trained on sample 1 of a few BEELINE benchmarks and scored on
:func:`selection_pairs`, beside the degree baseline on the same pairs."""
from pathlib import Path

import numpy as np
import pandas as pd

from grnfast.data import load_beeline, sample_negatives
from grnfast.evaluation import evaluate
from grnfast.evaluation.protocol import baselines
from grnfast.models import PRESETS, make_model
from grnfast.pipeline import benchmark_task, train

# Where the defaults were chosen: one benchmark of each ground truth and cell type
# with the hardest cases for a model against degree (sample 1 only).
SELECTION_BENCHMARKS = (("STRING", "mESC", 500), ("Non-Specific", "hHEP", 500), ("Specific", "mDC", 500))

# Configurations the estimators' defaults were chosen from; ``default`` is what the
# estimators use now.
SELECTION_CANDIDATES = {
    "published": PRESETS["published"],
    "small, given negatives only": {"graph_dim": 0, "random_negative_ratio": 0.0},
    "small + graph": {"random_negative_ratio": 0.0},
    "small + random negatives 10": {"graph_dim": 0},
    "default (small + graph + random negatives 10)": {},
    "small + graph + random negatives 20": {"random_negative_ratio": 20.0},
}


def selection_pairs(task, ratio=10, random_state=0, regulators=None):
    """A task's validation pairs plus ``ratio`` random pairs per validation edge,
    drawn as a model is used (a regulator of a known edge, or of ``regulators``
    such as the data set's TF list, x any gene, never a training or validation
    edge): what defaults are chosen on, never test pairs."""
    genes = task.node_features.index
    train_pos = task.X_train[task.y_train == 1]
    val_pos = task.X_val[task.y_val == 1]
    known = pd.concat([train_pos, val_pos], ignore_index=True)
    candidates = pd.unique(np.array([*known["regulator"], *(regulators if regulators is not None else ())],
                                    dtype=object))
    negatives = sample_negatives(known, candidates, genes, ratio * len(val_pos) / len(known), "uniform",
                                 random_state)
    X = pd.concat([task.X_val, negatives], ignore_index=True)
    return X, np.concatenate([task.y_val, np.zeros(len(negatives), dtype=task.y_val.dtype)])


def run_selection(path, root, benchmarks, candidates=None, models=("two-tower", "cross-encoder"), seed=0,
                  progress=True, resume=True):
    """Each candidate configuration (default :data:`SELECTION_CANDIDATES`) on sample 1
    of each benchmark, scored on :func:`selection_pairs`, beside the degree baseline
    on the same pairs. Rows are appended to ``path`` as they finish; with ``resume``,
    a (benchmark, candidate, model) already there is not trained again."""
    candidates = candidates or SELECTION_CANDIDATES
    path = Path(path)
    done = pd.read_csv(path) if resume and path.exists() else pd.DataFrame(columns=["benchmark", "candidate", "model"])
    finished = set(zip(done.benchmark, done.candidate, done.model))
    rows = done.to_dict("records")
    for network, cell, n in benchmarks:
        benchmark = f"{network} {cell} {n}"
        ds = load_beeline(root, network, cell, n)
        task = benchmark_task(root, ds, network, cell, n, 1)
        X_sel, y_sel = selection_pairs(task, random_state=seed)
        scorers = {}
        if (benchmark, "-", "degree baseline") not in finished:
            scorers[("-", "degree baseline")] = baselines(task)["degree baseline"]
        for candidate in candidates:
            for model in models:
                if (benchmark, candidate, model) not in finished:
                    scorers[(candidate, model)] = None
        for (candidate, model), scorer in scorers.items():
            seconds = 0.0
            if scorer is None:
                scorer, seconds = train(task, model, make_model(model, ds.node_features, random_state=seed,
                                                                **candidates[candidate]), progress)
            metrics = evaluate(y_sel, scorer.predict_proba(X_sel)[:, 1])
            rows.append({"benchmark": benchmark, "candidate": candidate, "model": model, "auroc": metrics["auroc"],
                         "auprc": metrics["auprc"], "prevalence": float(np.mean(y_sel)), "seconds": seconds})
            pd.DataFrame(rows).to_csv(path, index=False)
            if progress:
                print(f"selection {benchmark} {candidate} {model}: {metrics['auroc']:.3f} / {metrics['auprc']:.3f}",
                      flush=True)
    return pd.DataFrame(rows)
