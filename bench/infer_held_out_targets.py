"""``grnfast infer`` for genes the prior has no edge into, tried as a user would (issue 25).

The target-side twin of ``bench/infer_held_out_tfs.py``. For a BEELINE benchmark
and a seed: a seeded quarter of the genes with a known regulator is held out of
the prior with every edge into them (the *test* genes), and a fifth of the others
too (the *validation* genes); ``grnfast infer`` runs as the command line does
(``--expression BL--ExpressionData.csv --edges prior.csv --regulators TF.csv
--top-k all --targets-without-edges POLICY``, every other option at its
default), and the prior's regulators x each group's genes (self pairs excepted)
are scored against the benchmark's whole network:

- each model alone (its log-odds) and the recommended network as written (with
  ``--targets-without-edges unknown``, the blend of the model and the
  co-expressed genes' regulators that ``infer``'s check fitted:
  ``grnfast.pipeline.unknown_targets``);
- regulator out-degree over the prior, the absolute Pearson correlation of the
  two genes' expression, and GRNBoost2 (the adjacencies ``bench/grnboost2.py
  run`` caches, 0 for a pair it did not output), on the same pairs;
- group ``without edges``: the prior's regulators x every gene the prior has
  no edge into (the test and validation genes and the genes no edge of the
  benchmark reaches): which of the genes the prior lacks each TF regulates;
- group ``infer's check``: what ``infer`` reports (``InferResult.unknown_targets``).

    python bench/infer_held_out_targets.py --data ../shared/data --output docs/results/infer_held_out_targets.csv
    python bench/infer_held_out_targets.py --add-grnboost2 --output docs/results/infer_held_out_targets.csv
    python bench/infer_held_out_targets.py --summary docs/results/infer_held_out_targets.csv

One row per (benchmark, seed, policy, group, scorer): AUROC, AUPRC, the mean
per-regulator and per-target AUROC, the prevalence. ``--summary`` prints the
means over seeds, then, over the seeds where ``infer`` recommended a model,
regulator out-degree beside the recommended model alone and the recommended
network as written. Rows are appended as runs
finish and a run already in the file is skipped; ``--add-grnboost2`` adds
GRNBoost2's rows to runs made before its adjacencies were cached (no training).
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from infer_held_out_tfs import (BENCHMARKS, TEST_FRACTION, VALIDATION_FRACTION, group_pairs,  # noqa: E402
                                infer_with_prior, read_benchmark)
from infer_held_out_tfs import baseline_scores as tf_side_scores  # noqa: E402

from grnfast.evaluation import evaluate  # noqa: E402

POLICIES = ("negative", "unknown")
METRICS = ("auroc", "auprc", "auroc_per_regulator", "auroc_per_target")
OUT_DEGREE = "regulator out-degree (prior)"
RECOMMENDED = "recommended"


def held_out_targets(edges, seed):
    """(test genes, validation genes): seeded draws among the genes with a known regulator."""
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(np.array(sorted(edges["Gene2"].unique())))
    n_test = max(1, int(round(TEST_FRACTION * len(shuffled))))
    rest = shuffled[n_test:]
    n_val = max(1, int(round(VALIDATION_FRACTION * len(rest))))
    return sorted(shuffled[:n_test]), sorted(rest[:n_val])


def baseline_scores(pairs, prior, expression, grnboost):
    """Regulator out-degree over the prior, abs. Pearson and GRNBoost2 of ``pairs``."""
    scores = tf_side_scores(pairs, prior, expression, grnboost)
    del scores["target in-degree (prior)"]
    out_degree = prior.groupby("Gene1").size()
    return {OUT_DEGREE: pairs.regulator.map(out_degree).fillna(0).to_numpy(dtype=float), **scores}


def metrics_of(y, score, pairs):
    by_regulator = evaluate(y, score, regulators=pairs.regulator.to_numpy())
    by_target = evaluate(y, score, regulators=pairs.target.to_numpy())
    return {**{m: by_regulator[m] for m in ("auroc", "auprc", "auroc_per_regulator")},
            "auroc_per_target": by_target["auroc_per_regulator"], "prevalence": by_regulator["prevalence"]}


def groups(edges, genes, seed):
    """The prior (the network without the held-out genes' edges) and each group's
    (name, genes, pairs, labels): the prior's regulators x the group's genes."""
    test_genes, val_genes = held_out_targets(edges, seed)
    prior = edges[~edges.Gene2.isin(test_genes + val_genes)]
    regulators = [g for g in genes if g in set(prior.Gene1)]
    without = set(genes) - set(prior.Gene2)
    parts = []
    for group, targets in (("validation", set(val_genes)), ("test", set(test_genes)), ("without edges", without)):
        pairs, y = group_pairs(regulators, [g for g in genes if g in targets], edges)
        parts.append((group, targets, pairs, y))
    return prior, parts


def run_one(root, benchmark, seed, policy, progress):
    folder, edges, expression, grnboost = read_benchmark(root, benchmark)
    prior, parts = groups(edges, np.array(expression.index), seed)
    result = infer_with_prior(folder, prior, targets_without_edges=policy, progress=progress)
    assert set(result.dataset.known_regulators) == set(parts[0][2].regulator)  # the rows are the prior's TFs
    rows = []
    run = {"benchmark": benchmark, "seed": seed, "policy": policy}
    for group, targets, pairs, y in parts:
        scores = baseline_scores(pairs, prior, expression, grnboost)
        for name, model in result.models.items():
            scores[name] = model.decision_function(pairs)
        if result.recommended is not None:
            weights = result.networks[result.recommended].set_index(["Gene1", "Gene2"])["EdgeWeight"]
            scores[f"{RECOMMENDED} ({result.recommended})"] = \
                weights.reindex(pd.MultiIndex.from_frame(pairs)).fillna(0.0).to_numpy()
        for scorer, score in scores.items():
            rows.append({**run, "group": group, "scorer": scorer, **metrics_of(y, score, pairs),
                         "n_genes": len(targets), "n_pairs": len(y)})
    check = result.unknown_targets
    if check is not None:
        for scorer, metrics in ((check.model, check.model_metrics), (f"{RECOMMENDED} ({check.model})",
                                                                     check.blend_metrics),
                                (OUT_DEGREE, check.out_degree_metrics)):
            rows.append({**run, "group": "infer's check", "scorer": scorer, **metrics,
                         "prevalence": check.prevalence, "n_genes": check.n_held_out, "n_pairs": None})
    return rows


def grnboost2_rows(root, runs):
    """GRNBoost2's rows for the runs of ``runs`` that lack them, from the adjacencies
    ``bench/grnboost2.py run`` cached since (the same pairs: they depend on the
    benchmark and the seed only)."""
    from grnboost2 import pair_scores

    rows = []
    for (benchmark, seed, policy), run in runs.groupby(["benchmark", "seed", "policy"], sort=False):
        if (run.scorer == "GRNBoost2").any():
            continue
        _, edges, expression, grnboost = read_benchmark(root, benchmark)
        if grnboost is None:
            continue
        for group, targets, pairs, y in groups(edges, np.array(expression.index), seed)[1]:
            rows.append({"benchmark": benchmark, "seed": seed, "policy": policy, "group": group,
                         "scorer": "GRNBoost2", **metrics_of(y, pair_scores(grnboost, pairs)[0], pairs),
                         "n_genes": len(targets), "n_pairs": len(y)})
    return rows


def summary(runs):
    """Means over seeds per (benchmark, group, policy, scorer), and how many seeds;
    the recommended network's rows pooled whichever model it was."""
    scorer = runs.scorer.str.replace(r"^recommended \(.*\)$", RECOMMENDED, regex=True)
    return (runs.assign(scorer=scorer).groupby(["benchmark", "group", "policy", "scorer"], sort=False)
            .agg(**{m: (m, "mean") for m in METRICS}, prevalence=("prevalence", "mean"), seeds=("seed", "nunique"))
            .round(3).reset_index())


def recommended_summary(runs):
    """Over the seeds where ``infer`` recommended a model, per (benchmark, group,
    policy): regulator out-degree, the recommended model alone and the recommended
    network as written (for genes without edges, the blend)."""
    rows = []
    for key, run in runs[runs.group != "infer's check"].groupby(["benchmark", "group", "policy", "seed"], sort=False):
        written = run[run.scorer.str.startswith(f"{RECOMMENDED} (")]
        if written.empty:
            continue
        model = written.scorer.iloc[0][len(RECOMMENDED) + 2:-1]
        for name, scorer in ((OUT_DEGREE, OUT_DEGREE), ("recommended model alone", model),
                             ("recommended network", written.scorer.iloc[0])):
            rows.append({**dict(zip(["benchmark", "group", "policy", "seed"], key)), "scorer": name,
                         **run[run.scorer == scorer][list(METRICS)].iloc[0].to_dict()})
    return (pd.DataFrame(rows).groupby(["benchmark", "group", "policy", "scorer"], sort=False)
            .agg(**{m: (m, "mean") for m in METRICS}, seeds=("seed", "nunique")).round(3).reset_index())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--benchmarks", nargs="+", default=list(BENCHMARKS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3, 4, 5])
    parser.add_argument("--policies", nargs="+", choices=POLICIES, default=list(POLICIES),
                        help="--targets-without-edges values to run")
    parser.add_argument("--output", default="infer_held_out_targets.csv")
    parser.add_argument("--summary", metavar="CSV", help="print the means of a run file and train nothing")
    parser.add_argument("--add-grnboost2", action="store_true",
                        help="add GRNBoost2's rows (cached since) to the runs of --output that lack them; no training")
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args(argv)
    if args.summary:
        runs = pd.read_csv(args.summary)
        print(summary(runs).to_string(index=False))
        print("\nOver the seeds with a recommended model:")
        print(recommended_summary(runs).to_string(index=False))
        return
    output = Path(args.output)
    rows = pd.read_csv(output).to_dict("records") if output.exists() else []
    if args.add_grnboost2:
        rows += grnboost2_rows(args.data, pd.DataFrame(rows))
        pd.DataFrame(rows).to_csv(output, index=False)
        print(summary(pd.DataFrame(rows)).to_string(index=False))
        return
    done = {(r["benchmark"], r["seed"], r["policy"]) for r in rows}
    for seed in args.seeds:
        for benchmark in args.benchmarks:
            for policy in args.policies:
                if (benchmark, seed, policy) in done:
                    continue
                rows += run_one(args.data, benchmark, seed, policy, args.progress)
                pd.DataFrame(rows).to_csv(output, index=False)
                print(f"{benchmark} seed {seed} {policy}: done", flush=True)
    print(summary(pd.DataFrame(rows)).to_string(index=False))


if __name__ == "__main__":
    main()
