"""Candidate defaults judged on every protocol at once, on validation pairs only.

For each selection benchmark and split sample (``--sample``, default 1), each
protocol of ``grnfast evaluate``
builds its task; each candidate configuration of each model is trained on the
task's training pairs (early-stopped on its validation pairs, random negatives as
the commands draw them unless the candidate chooses) and scored on the task's
validation pairs beside the four baselines on the same pairs. Under the cold
protocols the validation pairs are cold too (regulators, or genes, held out of
training), so a candidate is chosen for the question the test asks, never on
test pairs. The test pairs are never read.

    python tools/protocol_selection.py --data ../shared/data --output docs/results/protocol_selection.csv
    python tools/protocol_selection.py --data ../shared/data --sample 2 --candidates today "gene bias"
    python tools/protocol_selection.py --data ../shared/data --sample 3 \
        --candidates "zero embeddings, one layer of 256" --models two-tower
    python tools/protocol_selection.py --summary docs/results/protocol_selection.csv

Rows are appended as they finish and a (benchmark, protocol, sample, candidate,
model) already in the file is not trained again. Verdicts compare means over the
samples a candidate ran on with the baselines' on the same samples.
"""
import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from grnfast.data import fetch_beeline, load_beeline
from grnfast.evaluation import evaluate
from grnfast.evaluation.protocol import baselines, regulators_of
from grnfast.models import make_model
from grnfast.pipeline import PROTOCOLS, benchmark_task, train
from grnfast.pipeline.benchmark import with_split_negatives

# One benchmark of each ground truth, with the hardest cases for a model against
# the baselines under the cold protocols (Specific hHEP: dense; Specific mDC: sparse).
BENCHMARKS = (("Specific", "hHEP", 500), ("Specific", "mDC", 500), ("Non-Specific", "hHEP", 500),
              ("STRING", "mESC", 500))

# name -> (params, whether the random negatives draw the data set's TF list as the
# commands do today). Without the TF list they draw the training edges' regulators.
FEATURES = {"feature_interaction": True, "embedding_init": "zeros"}
CANDIDATES = {
    "today": ({}, True),
    "training-regulator negatives": ({}, False),
    "feature interaction, zero embeddings": (FEATURES, True),
    "feature interaction, zero embeddings, training-regulator negatives": (FEATURES, False),
    "gene bias": ({"gene_bias": True}, True),
    "gene bias, feature interaction, zero embeddings": ({**FEATURES, "gene_bias": True}, True),
    "given negatives only": ({"random_negative_ratio": 0.0}, False),
    "gene bias, given negatives only": ({"gene_bias": True, "random_negative_ratio": 0.0}, False),
    "random negatives 3": ({"random_negative_ratio": 3.0}, True),
    "gene bias, random negatives 3": ({"gene_bias": True, "random_negative_ratio": 3.0}, True),
    "embedding dropout 0.1": ({"embedding_dropout": 0.1}, True),
    "gene bias, embedding dropout 0.1": ({"gene_bias": True, "embedding_dropout": 0.1}, True),
    "embedding dropout 0.3": ({"embedding_dropout": 0.3}, True),
    "feature interaction": ({"feature_interaction": True}, True),
    "patience 3": ({"n_iter_no_change": 3}, True),
    "lazy embedding updates": ({"embedding_update": "lazy"}, True),
    # the two-tower family only: every batch's random negatives a grid of shared genes (issue 28)
    "shared negatives": ({"shared_negatives": True}, True),
    "shared negatives, training-regulator negatives": ({"shared_negatives": True}, False),
    "zero embeddings": ({"embedding_init": "zeros"}, True),
    # the feature-only task's two-tower: 0.981 against MLPClassifier's 0.970 (bench/feature_only_task.py)
    "zero embeddings, one layer of 256": ({"embedding_init": "zeros", "hidden_layer_sizes": (256,)}, True),
}

METRICS = ("auroc", "auprc", "auroc_per_regulator")
MODELS = ("two-tower", "cross-encoder", "late-interaction")


def validation_rows(task, scorer):
    X, y = task.X_val, np.asarray(task.y_val)
    metrics = evaluate(y, scorer.predict_proba(X)[:, 1], regulators=regulators_of(X))
    return {**{m: metrics[m] for m in METRICS}, "prevalence": metrics["prevalence"], "n_pairs": len(y)}


def run(path, root, benchmarks=BENCHMARKS, protocols=PROTOCOLS, candidates=CANDIDATES,
        models=MODELS, sample=1, seed=0, progress=True):
    path = Path(path)
    rows = with_samples(pd.read_csv(path)).to_dict("records") if path.exists() else []
    done = {(r["benchmark"], r["protocol"], r["sample"], r["candidate"], r["model"]) for r in rows}
    for network, cell, n in benchmarks:
        benchmark = f"{network} {cell} {n}"
        ds = load_beeline(root, network, cell, n)
        for protocol in protocols:
            task = benchmark_task(root, ds, network, cell, n, sample, protocol)
            jobs = [(name, model) for name in candidates for model in models
                    if (benchmark, protocol, sample, name, model) not in done]
            if not jobs:
                continue
            scorers = {("-", name): (fitted, 0.0) for name, fitted in baselines(task).items()
                       if (benchmark, protocol, sample, "-", name) not in done}
            for name, model in jobs:
                params, tf_list = candidates[name]
                # Never a held-out gene among the random negatives, whichever regulators they draw.
                params = with_split_negatives(params if tf_list else {**params, "negative_regulators": None}, task, ds)
                scorers[name, model] = train(task, model, make_model(model, ds.node_features, random_state=seed,
                                                                     **params), progress)
            for (name, model), (scorer, seconds) in scorers.items():
                rows.append({"benchmark": benchmark, "protocol": protocol, "sample": sample, "candidate": name,
                             "model": model,
                             **validation_rows(task, scorer), "seconds": round(seconds, 1)})
                pd.DataFrame(rows).to_csv(path, index=False)
                if progress:
                    print(f"{benchmark} | {protocol} | sample {sample} | {name} | {model}: auroc {rows[-1]['auroc']:.3f} "
                          f"auprc {rows[-1]['auprc']:.3f}", flush=True)
    return pd.DataFrame(rows)


def with_samples(runs):
    """Runs from before the sample column were sample 1's."""
    return runs.assign(sample=runs["sample"].fillna(1).astype(int)) if "sample" in runs else runs.assign(sample=1)


def protocol_verdicts(runs):
    """Per (protocol, benchmark, candidate, model): the mean over the split samples it
    ran on of each metric, of the best baseline on the same samples
    (``<metric>_best_baseline``: the best per sample and metric), and of the margin;
    ``samples``; ``beats``: above the baselines on both AUROC and AUPRC."""
    runs = with_samples(runs)
    keys = ["benchmark", "protocol", "sample"]
    base = runs[runs.candidate == "-"].groupby(keys)[list(METRICS)].max()
    models = runs[runs.candidate != "-"].join(base, on=keys, rsuffix="_best_baseline")
    for m in METRICS:
        models[f"{m}_margin"] = models[m] - models[f"{m}_best_baseline"]
    columns = [c for m in METRICS for c in (m, f"{m}_best_baseline", f"{m}_margin")] + ["prevalence"]
    means = (models.groupby(["protocol", "benchmark", "candidate", "model"], sort=False)
             .agg(**{c: (c, "mean") for c in columns}, samples=("sample", "nunique")).reset_index())
    means["beats"] = (means.auroc_margin > 0) & (means.auprc_margin > 0)
    return means


def summary(runs):
    """Per candidate, model and protocol: on how many benchmarks it beats every
    baseline on both AUROC and AUPRC (validation pairs), and its mean margins over
    the best baseline per metric."""
    return (protocol_verdicts(runs).groupby(["candidate", "model", "protocol"])
            .agg(cells=("beats", "size"), beats=("beats", "sum"), auroc_margin=("auroc_margin", "mean"),
                 auprc_margin=("auprc_margin", "mean"), per_tf_margin=("auroc_per_regulator_margin", "mean"))
            .round(3))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="BEELINE data folder (downloaded when omitted)")
    parser.add_argument("--output", default="docs/results/protocol_selection.csv")
    parser.add_argument("--protocols", nargs="+", default=list(PROTOCOLS), choices=PROTOCOLS)
    parser.add_argument("--candidates", nargs="+", default=list(CANDIDATES), choices=list(CANDIDATES))
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--sample", type=int, default=1, help="the split sample (published) or the cold draw's seed")
    parser.add_argument("--summary", metavar="CSV", help="print the summary of a run file and train nothing")
    args = parser.parse_args()
    if args.summary:
        with pd.option_context("display.width", 200, "display.max_rows", 500):
            print(summary(pd.read_csv(args.summary)))
        return
    root = fetch_beeline(args.data, download=args.data is None)
    run(args.output, root, protocols=args.protocols, candidates={c: CANDIDATES[c] for c in args.candidates},
        models=tuple(args.models), sample=args.sample)


if __name__ == "__main__":
    main()
