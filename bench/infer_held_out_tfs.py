"""``grnfast infer --regulators`` for TFs the prior lacks, tried as a user would (issue 25).

For a BEELINE benchmark and a seed: a seeded quarter of the regulators with known
edges is held out of the prior (the *test* TFs), and a fifth of the others too (the
*validation* TFs, to choose on); ``grnfast infer`` runs as the command line does
(``--expression BL--ExpressionData.csv --edges prior.csv --regulators TF.csv
--top-k all``, every other option at its default, or ``--regulators-without-edges``
as asked), and each group's TFs x every gene (self pairs excepted) are scored
against the benchmark's whole network:

- each model alone (its log-odds) and the recommended network as written (for
  TFs without edges, the blend of the model and the co-expressed TFs' targets
  that ``infer``'s check fitted: ``grnfast.pipeline.cold_blend``);
- target in-degree over the prior, the absolute Pearson correlation of the two
  genes' expression, and GRNBoost2 (arboreto; the adjacencies ``bench/grnboost2.py
  run`` caches, 0 for a pair it did not output), on the same pairs;
- group ``infer's check``: what ``infer`` itself reports for the TFs without
  edges (``InferResult.unknown_regulators``: the recommended model retrained
  without a fifth of the prior's TFs, alone and blended, against target in-degree
  on those), so its verdict can be compared with the test TFs'.

    python bench/infer_held_out_tfs.py --data ../shared/data --output docs/results/infer_held_out_tfs.csv
    python bench/infer_held_out_tfs.py --data ../shared/data --benchmarks "STRING mESC 500" --seeds 1 2 \\
        --policies unknown --output held_out_tfs.csv
    python bench/infer_held_out_tfs.py --data ../shared/data --embedding-dropout 0.1 --policies unknown \\
        --output docs/results/infer_held_out_tfs.csv
    python bench/infer_held_out_tfs.py --data ../shared/data --targets-without-edges unknown --policies unknown \
        --output docs/results/infer_held_out_tfs.csv
    python bench/infer_held_out_tfs.py --summary docs/results/infer_held_out_tfs.csv

One row per (benchmark, seed, policy, setting, group, scorer): AUROC, AUPRC, the
mean per-TF AUROC, the prevalence; ``setting`` is "defaults", or the parameter
given (``--embedding-dropout P``: ``grnfast infer --embedding-dropout P``;
``--targets-without-edges unknown``: ``targets_without_edges=unknown``). Rows
are appended as runs finish and a run already in the file is skipped.
``--summary`` prints the means over seeds, then, over the seeds where ``infer``
recommended a model, target in-degree beside the recommended model alone and the
recommended network as written.
"""
import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from grnboost2 import CACHE, cache_path, pair_scores, read_adjacencies  # noqa: E402

from grnfast.data import InputFiles  # noqa: E402
from grnfast.data.beeline import beeline_folder  # noqa: E402
from grnfast.data.signs import pair_correlations  # noqa: E402
from grnfast.evaluation import evaluate  # noqa: E402
from grnfast.pipeline import infer  # noqa: E402

BENCHMARKS = ("STRING mESC 500", "Specific hHEP 500", "Non-Specific hHEP 500", "Specific mDC 500")
POLICIES = ("unknown", "negative")
TEST_FRACTION, VALIDATION_FRACTION = 0.25, 0.2
METRICS = ("auroc", "auprc", "auroc_per_regulator")
IN_DEGREE = "target in-degree (prior)"
RECOMMENDED = "recommended ("  # + the model + ")": the network infer wrote for its recommended model


def recommended(model):
    return f"{RECOMMENDED}{model})"


def recommended_rows(runs):
    return runs[runs.scorer.str.startswith(RECOMMENDED)]


def _read(folder, name, **kwargs):
    return pd.read_csv(next(folder.glob(f"{name}*")), **kwargs)


def held_out_tfs(edges, seed):
    """(test TFs, validation TFs): seeded draws among the regulators with known edges."""
    rng = np.random.default_rng(seed)
    regulators = np.array(sorted(edges["Gene1"].unique()))
    shuffled = rng.permutation(regulators)
    n_test = max(1, int(round(TEST_FRACTION * len(regulators))))
    rest = shuffled[n_test:]
    n_val = max(1, int(round(VALIDATION_FRACTION * len(rest))))
    return sorted(shuffled[:n_test]), sorted(rest[:n_val])


def group_pairs(tfs, genes, edges):
    pairs = pd.DataFrame({"regulator": np.repeat(tfs, len(genes)), "target": np.tile(genes, len(tfs))})
    pairs = pairs[pairs.regulator != pairs.target].reset_index(drop=True)
    known = pd.MultiIndex.from_frame(edges[["Gene1", "Gene2"]].astype(str))
    labels = pd.MultiIndex.from_frame(pairs).isin(known).astype(int)
    return pairs, labels


def baseline_scores(pairs, prior, expression, grnboost):
    in_degree = prior.groupby("Gene2").size()
    correlation = np.abs(np.nan_to_num(pair_correlations(expression, pairs.regulator, pairs.target)))
    scores = {IN_DEGREE: pairs.target.map(in_degree).fillna(0).to_numpy(dtype=float),
              "abs. Pearson correlation": correlation}
    if grnboost is not None:
        scores["GRNBoost2"] = pair_scores(grnboost, pairs)[0]
    return scores


def setting_of(params, targets_without_edges="negative"):
    """"defaults", or the parameters given and ``--targets-without-edges`` where not the default."""
    if targets_without_edges != "negative":
        params = {**params, "targets_without_edges": targets_without_edges}
    return ", ".join(f"{k}={v}" for k, v in sorted(params.items())) or "defaults"


def read_benchmark(root, benchmark):
    """A BEELINE benchmark's folder, whole network (Gene1, Gene2), expression and
    GRNBoost2's cached adjacencies (None when not cached)."""
    network, cell, n_genes = benchmark.rsplit(" ", 2)
    folder = beeline_folder(root, network, cell, int(n_genes))
    edges = _read(folder, "BL--network.csv", dtype=str)[["Gene1", "Gene2"]].drop_duplicates()
    expression = _read(folder, "BL--ExpressionData.csv", index_col=0)
    expression.index = expression.index.astype(str)
    grnboost_file = cache_path(CACHE, network, cell, n_genes, 0)
    grnboost = read_adjacencies(grnboost_file) if grnboost_file.exists() else None
    return folder, edges, expression, grnboost


def infer_with_prior(folder, prior, **options):
    """``grnfast infer`` as the command line runs it on the benchmark's expression,
    ``prior`` as ``--edges``, its TF.csv as ``--regulators``, every pair written."""
    with tempfile.TemporaryDirectory() as tmp:
        prior_path = Path(tmp) / "prior.csv"
        prior.to_csv(prior_path, index=False)
        inputs = InputFiles(str(next(folder.glob("BL--ExpressionData.csv*"))), edges=str(prior_path),
                            regulators=str(next(folder.glob("TF.csv*"))))
        return infer(inputs, top_k=None, signed=False, output=None, **options)


def run_one(root, benchmark, seed, policy, progress, params=None, targets_without_edges="negative"):
    folder, edges, expression, grnboost = read_benchmark(root, benchmark)
    genes = np.array(expression.index)
    test_tfs, val_tfs = held_out_tfs(edges, seed)
    prior = edges[~edges.Gene1.isin(test_tfs + val_tfs)]
    result = infer_with_prior(folder, prior, params=params, regulators_without_edges=policy,
                              targets_without_edges=targets_without_edges, progress=progress)
    rows = []
    run = {"benchmark": benchmark, "seed": seed, "policy": policy,
           "setting": setting_of(params or {}, targets_without_edges)}
    for group, tfs in (("validation", val_tfs), ("test", test_tfs)):
        tfs = [tf for tf in tfs if tf in set(result.dataset.regulators)]
        pairs, y = group_pairs(tfs, genes, edges)
        scores = baseline_scores(pairs, prior, expression, grnboost)
        index = pd.MultiIndex.from_frame(pairs)
        for name, model in result.models.items():
            scores[name] = model.decision_function(pairs)
        if result.recommended is not None:  # the written network: for these TFs, the check's blend
            weights = result.networks[result.recommended].set_index(["Gene1", "Gene2"])["EdgeWeight"]
            scores[recommended(result.recommended)] = weights.reindex(index).fillna(0.0).to_numpy()
        for scorer, score in scores.items():
            metrics = evaluate(y, score, regulators=pairs.regulator.to_numpy())
            rows.append({**run, "group": group, "scorer": scorer,
                         **{m: metrics[m] for m in METRICS}, "prevalence": metrics["prevalence"],
                         "n_tfs": len(tfs), "n_pairs": len(y)})
    check = result.unknown_regulators
    if check is not None:  # what infer itself measured on TFs of the prior held out of a second training
        for scorer, metrics in ((check.model, check.model_metrics),
                                (recommended(check.model), check.blend_metrics),
                                (IN_DEGREE, check.in_degree_metrics)):
            rows.append({**run, "group": "infer's check", "scorer": scorer, **metrics, "prevalence": check.prevalence,
                         "n_tfs": check.n_held_out, "n_pairs": None})
    return rows


def with_settings(runs):
    """Runs from before the setting column were the defaults'."""
    return runs.assign(setting=runs["setting"].fillna("defaults") if "setting" in runs else "defaults")


def summary(runs):
    """Means over seeds per (benchmark, group, policy, setting, scorer), and how many seeds."""
    runs = with_settings(runs)
    scorer = runs.scorer.str.replace(r"^recommended \(.*\)$", "recommended", regex=True)
    return (runs.assign(scorer=scorer).groupby(["benchmark", "group", "policy", "setting", "scorer"], sort=False)
            .agg(**{m: (m, "mean") for m in METRICS}, prevalence=("prevalence", "mean"), seeds=("seed", "nunique"))
            .round(3).reset_index())


def recommended_summary(runs):
    """Over the seeds where ``infer`` recommended a model, per (benchmark, group,
    policy, setting): target in-degree, the recommended model alone (its own row)
    and the recommended network as written (for TFs without edges, the blend)."""
    runs = with_settings(runs)
    runs = runs[runs.group.isin(["validation", "test"])]
    rows = []
    for key, run in runs.groupby(["benchmark", "group", "policy", "setting", "seed"], sort=False):
        written = recommended_rows(run)
        if written.empty:
            continue
        model = written.scorer.iloc[0][len(RECOMMENDED):-1]
        for name, scorer in ((IN_DEGREE, IN_DEGREE),
                             ("recommended model alone", model), ("recommended network", written.scorer.iloc[0])):
            rows.append({**dict(zip(["benchmark", "group", "policy", "setting", "seed"], key)), "scorer": name,
                         **run[run.scorer == scorer][list(METRICS)].iloc[0].to_dict()})
    return (pd.DataFrame(rows).groupby(["benchmark", "group", "policy", "setting", "scorer"], sort=False)
            .agg(**{m: (m, "mean") for m in METRICS}, seeds=("seed", "nunique")).round(3).reset_index())


def check_verdicts(runs):
    """Per (benchmark, policy, setting), over the seeds where ``infer`` ran its check:
    the check's means (the model alone, the blend, target in-degree), on how many
    seeds the check found the blend ahead of in-degree on both AUROC and AUPRC, and
    on how many that verdict was the test TFs' (the written network against
    in-degree)."""
    runs = with_settings(runs)
    rows = []
    for key, run in runs.groupby(["benchmark", "policy", "setting", "seed"], sort=False):
        check, test = run[run.group == "infer's check"], run[run.group == "test"]
        if check.empty:
            continue
        blend, in_degree = recommended_rows(check), check[check.scorer == IN_DEGREE]
        alone = check[~check.index.isin(blend.index.union(in_degree.index))]
        written, test_in_degree = recommended_rows(test), test[test.scorer == IN_DEGREE]
        row = dict(zip(["benchmark", "policy", "setting", "seed"], key))
        for name, part in (("alone", alone), ("blend", blend), ("in_degree", in_degree)):
            row.update({f"{name}_{m}": part[m].iloc[0] for m in ("auroc", "auprc")})
        row["check_ahead"] = ahead(blend, in_degree)
        row["verdict_matched"] = row["check_ahead"] == ahead(written, test_in_degree)
        rows.append(row)
    columns = [f"{name}_{m}" for name in ("alone", "blend", "in_degree") for m in ("auroc", "auprc")]
    return (pd.DataFrame(rows).groupby(["benchmark", "policy", "setting"], sort=False)
            .agg(seeds=("seed", "nunique"), **{c: (c, "mean") for c in columns},
                 check_ahead=("check_ahead", "sum"), verdict_matched=("verdict_matched", "sum"))
            .round(3).reset_index())


def ahead(scorer, baseline):
    return all(scorer[m].iloc[0] > baseline[m].iloc[0] for m in ("auroc", "auprc"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--benchmarks", nargs="+", default=list(BENCHMARKS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3, 4, 5])
    parser.add_argument("--policies", nargs="+", choices=POLICIES, default=list(POLICIES),
                        help="--regulators-without-edges values to run")
    parser.add_argument("--embedding-dropout", type=float, default=None, metavar="P",
                        help="run infer with embedding_dropout=P (default: the estimators' default)")
    parser.add_argument("--targets-without-edges", choices=["negative", "unknown"], default="negative",
                        help="run infer with --targets-without-edges (default: infer's default)")
    parser.add_argument("--output", default="infer_held_out_tfs.csv")
    parser.add_argument("--summary", metavar="CSV", help="print the means of a run file and train nothing")
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args(argv)
    if args.summary:
        runs = pd.read_csv(args.summary)
        print(summary(runs).to_string(index=False))
        print("\nOver the seeds with a recommended model:")
        print(recommended_summary(runs).to_string(index=False))
        print("\ninfer's check, and whether its verdict was the test TFs':")
        print(check_verdicts(runs).to_string(index=False))
        return
    output = Path(args.output)
    params = {} if args.embedding_dropout is None else {"embedding_dropout": args.embedding_dropout}
    rows = with_settings(pd.read_csv(output)).to_dict("records") if output.exists() else []
    done = {(r["benchmark"], r["seed"], r["policy"], r["setting"]) for r in rows}
    for seed in args.seeds:
        for benchmark in args.benchmarks:
            for policy in args.policies:
                setting = setting_of(params, args.targets_without_edges)
                if (benchmark, seed, policy, setting) in done:
                    continue
                rows += run_one(args.data, benchmark, seed, policy, args.progress, params, args.targets_without_edges)
                pd.DataFrame(rows).to_csv(output, index=False)
                print(f"{benchmark} seed {seed} {policy} {setting}: done", flush=True)
    print(summary(pd.DataFrame(rows)).to_string(index=False))


if __name__ == "__main__":
    main()
