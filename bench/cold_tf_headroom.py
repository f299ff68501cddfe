"""How much of a TF's targets can be known without its own edges (issue 25).

For a TF the prior lacks, the evidence is the other TFs' edges and the
expression. This prints, for every BEELINE benchmark at hand, what that evidence
holds at best: each regulator of the benchmark's network is left out in turn,
and its pairs with every gene (self pair excepted) are ranked by

- target in-degree over the other regulators' edges (the hub genes of the prior);
- the absolute Pearson correlation of the TF and the target;
- the co-expressed TFs' targets: the other regulators' target rows weighted by
  softmax(beta x the Pearson correlation of each with the left-out TF), beta = 0
  being in-degree; beta is chosen from BETAS by cross-fitting (the regulators
  split into two seeded halves, each half's beta chosen on the other half's
  per-TF AUROCs as ``grnfast infer`` chooses it: the best mean), so no TF's own
  labels choose its beta: what ``infer``'s transfer reaches;
- the best other TF's targets: for each left-out TF, the single other regulator
  whose targets rank its own best (chosen with the left-out TF's labels, so an
  oracle), ties broken by in-degree. No method that transfers the targets of a
  known TF (similar expression, family, a learnt embedding) can pick better than
  the oracle, so this bounds what copying a known TF can add to in-degree.

Per-TF AUROC and AUPRC (the ranking a top-k-per-TF list uses), means over the
regulators with at least one edge and one non-edge; the oracle's best is taken
for each metric apart.

    python bench/cold_tf_headroom.py --data ../shared/data --output docs/results/cold_tf_headroom.csv
    python bench/cold_tf_headroom.py --summary docs/results/cold_tf_headroom.csv
    python bench/cold_tf_headroom.py --data ../shared/data --clear-gain 2 --output clear_gain.csv
    python bench/cold_tf_headroom.py --data ../shared/data --left-out targets

``--left-out targets`` asks the same of target genes: each target of the network
left out in turn (every edge into it), its pairs with the network's regulators
ranked by their out-degree over the other targets, by correlation, by the
co-expressed targets' regulators (beta cross-fitted the same way) and by the best
other target's regulators (the oracle).
"""
import argparse

import numpy as np
import pandas as pd

from grnfast.data.beeline import available_benchmarks, beeline_folder
from grnfast.data.signs import pair_correlations
from grnfast.pipeline.coexpressed_targets import BETAS, chosen_beta, row_auroc, softmax_weights

IN_DEGREE, CORRELATION, BEST_OTHER_TF = "target in-degree", "abs. Pearson correlation", "best other TF (oracle)"
CO_EXPRESSED = "co-expressed TFs' targets"
# Breaks ties among an other TF's targets (and among its non-targets) by in-degree;
# times any in-degree it stays below 1, so it never lifts a non-target above a target.
TIE_BREAK = 1e-7


def row_average_precision(scores, y):
    """Average precision of each row of ``scores`` against ``y``, ties as
    scikit-learn's ``average_precision_score`` takes them (one threshold per distinct score)."""
    order = np.argsort(-scores, axis=1, kind="stable")
    ranked = np.take_along_axis(scores, order, axis=1)
    hits = np.cumsum(y[order], axis=1)
    n = np.arange(1, scores.shape[1] + 1)
    # the last position of each run of equal scores is a threshold
    last = np.ones_like(ranked, dtype=bool)
    last[:, :-1] = ranked[:, 1:] != ranked[:, :-1]
    precision = hits / n
    recall = hits / y.sum()
    ap = np.empty(len(scores))
    for row in range(len(scores)):
        r, p = recall[row, last[row]], precision[row, last[row]]
        ap[row] = np.sum(np.diff(np.concatenate([[0.0], r])) * p)
    return ap


def headroom(edges, expression, seed=0, clear_gain=None, candidates=None):
    """Per left-out regulator: the prevalence of its pairs and each scorer's AUROC
    and AUPRC (one row per regulator with at least one edge and one non-edge);
    ``seed`` draws the halves that choose the co-expression transfer's beta;
    ``clear_gain``: see :func:`_chosen`; ``candidates``: the genes each regulator's
    pairs are with (default every gene)."""
    genes = np.asarray(expression.index, dtype=str)
    row_of = pd.Series(np.arange(len(genes)), index=genes)
    edges = edges[edges.Gene1.isin(row_of.index) & edges.Gene2.isin(row_of.index)].drop_duplicates()
    regulators = np.array(sorted(edges.Gene1.unique()))
    targets = np.zeros((len(regulators), len(genes)))
    targets[pd.Index(regulators).get_indexer(edges.Gene1), row_of[edges.Gene2].to_numpy()] = 1.0
    in_degree = targets.sum(axis=0)
    signed = np.nan_to_num(pair_correlations(expression, np.repeat(regulators, len(genes)),
                                             np.tile(genes, len(regulators)))).reshape(len(regulators), len(genes))
    correlations = np.abs(signed)
    among_regulators = signed[:, row_of[regulators].to_numpy()]
    transfers = [_weighted_targets(among_regulators, targets, beta) for beta in BETAS]
    candidate = np.ones(len(genes), dtype=bool) if candidates is None else np.isin(genes, list(candidates))
    rows, by_beta = [], []
    for i, tf in enumerate(regulators):
        keep = candidate & (genes != tf)
        y = targets[i, keep]
        if y.sum() == 0 or y.sum() == len(y):
            continue
        others = np.delete(targets, i, axis=0)[:, keep]
        degree = in_degree[keep] - y
        copies = others + TIE_BREAK * degree
        single = np.vstack([degree, correlations[i, keep]] + [transfer[i, keep] for transfer in transfers])
        auroc, auprc = row_auroc(single, np.broadcast_to(y, single.shape)), row_average_precision(single, y)
        by_beta.append((auroc[2:], auprc[2:]))
        rows.append({"regulator": tf, "prevalence": y.mean(),
                     f"{IN_DEGREE} auroc": auroc[0], f"{IN_DEGREE} auprc": auprc[0],
                     f"{CORRELATION} auroc": auroc[1], f"{CORRELATION} auprc": auprc[1],
                     f"{BEST_OTHER_TF} auroc": row_auroc(copies, np.broadcast_to(y, copies.shape)).max(),
                     f"{BEST_OTHER_TF} auprc": row_average_precision(copies, y).max()})
    table = pd.DataFrame(rows)
    return pd.concat([table, _cross_fitted(by_beta, seed, clear_gain)], axis=1)


def _weighted_targets(correlation, targets, beta):
    """Row i: the other regulators' target rows weighted by softmax(beta x their
    correlation with regulator i) (its own row excluded), as ``grnfast infer``
    weighs them for a TF without edges (grnfast.pipeline.coexpressed_targets)."""
    correlation = correlation.copy()
    np.fill_diagonal(correlation, -np.inf)
    return softmax_weights(correlation, beta) @ targets


def _cross_fitted(by_beta, seed, clear_gain=None):
    """The co-expression transfer's AUROC and AUPRC for each regulator at the beta
    chosen on the other half of the regulators (:func:`chosen_beta` of their per-TF AUROCs)."""
    aurocs = np.array([a for a, _ in by_beta]).reshape(len(by_beta), len(BETAS))
    auprcs = np.array([p for _, p in by_beta]).reshape(len(by_beta), len(BETAS))
    half = np.random.default_rng(seed).permutation(len(by_beta)) % 2
    chosen = np.empty(len(by_beta), dtype=int)
    for h in (0, 1):
        other = half != h
        chosen[half == h] = BETAS.index(_chosen(aurocs[other].T, clear_gain)) if other.any() else 0
    rows = np.arange(len(by_beta))
    return pd.DataFrame({f"{CO_EXPRESSED} auroc": aurocs[rows, chosen], f"{CO_EXPRESSED} auprc": auprcs[rows, chosen],
                         f"{CO_EXPRESSED} beta": np.asarray(BETAS)[chosen]})


def _chosen(aurocs, clear_gain):
    """``infer``'s beta (:func:`chosen_beta`: the best mean per-TF AUROC), or with
    ``clear_gain`` K the best mean among the betas whose mean gain over beta 0 is
    more than K standard errors of the regulators' gains, else 0 (a rule tried and
    dropped: docs/evaluation.md)."""
    if clear_gain is None:
        return chosen_beta(aurocs)
    gains = aurocs - aurocs[0]
    means = gains.mean(axis=1)
    clear = means > clear_gain * gains.std(axis=1, ddof=1) / np.sqrt(gains.shape[1])
    return float(BETAS[int(np.argmax(np.where(clear, means, -np.inf)))]) if clear.any() else 0.0


def run(root, clear_gain=None, left_out="regulators"):
    tables = []
    for network, cell, n_genes in available_benchmarks(root):
        folder = beeline_folder(root, network, cell, n_genes)
        edges = pd.read_csv(next(folder.glob("BL--network.csv*")), dtype=str)[["Gene1", "Gene2"]]
        expression = pd.read_csv(next(folder.glob("BL--ExpressionData.csv*")), index_col=0)
        expression.index = expression.index.astype(str)
        if left_out == "targets":
            table = targets_headroom(edges, expression, clear_gain=clear_gain)
        else:
            table = headroom(edges, expression, clear_gain=clear_gain)
        tables.append(table.assign(benchmark=f"{network} {cell} {n_genes}"))
        print(f"{network} {cell} {n_genes}: {len(table)} {left_out}", flush=True)
    return pd.concat(tables, ignore_index=True)


def targets_headroom(edges, expression, seed=0, clear_gain=None):
    """The same question for a target gene the prior has no edge into: each target
    of the network left out in turn, its pairs with every regulator of the network
    ranked by the regulators' out-degree over the other targets, by correlation, by
    the co-expressed targets' regulators (the other targets' regulator rows weighed
    by softmax(beta x their correlation with it)) and by the best other target's
    regulators (an oracle): :func:`headroom` of the reversed network."""
    reversed_edges = edges.rename(columns={"Gene1": "Gene2", "Gene2": "Gene1"})
    table = headroom(reversed_edges, expression, seed, clear_gain, candidates=set(edges.Gene1))
    return table.rename(columns=_target_names)


TARGET_NAMES = {"regulator": "target", IN_DEGREE: "regulator out-degree", BEST_OTHER_TF: "best other target (oracle)",
                CO_EXPRESSED: "co-expressed targets' regulators"}


def _target_names(column):
    for name, renamed in TARGET_NAMES.items():
        if column == name or column.startswith(name + " "):
            return renamed + column[len(name):]
    return column


def summary(table):
    """Means over the left-out regulators (or targets) of each benchmark, and the
    betas the co-expression transfer's halves chose."""
    columns = [c for c in table.columns if c.endswith((" auroc", " auprc"))]
    unit = "regulator" if "regulator" in table else "target"
    (beta,) = [c for c in table.columns if c.endswith(" beta")]
    return (table.groupby("benchmark", sort=False)
            .agg(**{f"{unit}s": (unit, "size")}, prevalence=("prevalence", "mean"),
                 **{c: (c, "mean") for c in columns},
                 betas=(beta, lambda b: "/".join(f"{v:g}" for v in sorted(set(b)))))
            .round(3))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="the BEELINE data folder (../shared/data)")
    parser.add_argument("--output", help="CSV of every left-out regulator's row")
    parser.add_argument("--summary", metavar="CSV", help="print the means of a written CSV and compute nothing")
    parser.add_argument("--left-out", choices=("regulators", "targets"), default="regulators",
                        help="leave out each regulator (a TF the prior lacks; default) or each target gene (a gene "
                             "no prior edge reaches)")
    parser.add_argument("--clear-gain", type=float, metavar="K",
                        help="choose a beta above 0 only when its gain is more than K standard errors (default: "
                             "the best mean, as grnfast infer)")
    args = parser.parse_args()
    if args.summary:
        print(summary(pd.read_csv(args.summary)).to_string())
        return
    if not args.data:
        parser.error("--data (the BEELINE data folder) or --summary CSV is needed")
    table = run(args.data, args.clear_gain, args.left_out)
    if args.output:
        table.to_csv(args.output, index=False)
    print(summary(table).to_string())


if __name__ == "__main__":
    main()
