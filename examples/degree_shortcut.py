"""How much of a benchmark the degree baseline solves, against uniform and
against degree-matched negatives.

    python examples/degree_shortcut.py ../shared/data

For each benchmark, 30% of the known edges are held out; the degree baseline
(regulator out-degree + target in-degree over the other 70%) scores them
against as many negatives drawn uniformly or degree-matched.
"""
import sys

import numpy as np
from sklearn.metrics import roc_auc_score

from grnfast.data import labelled_pairs, load_beeline, sample_negatives


def degree_auroc(train_positives, test_pairs):
    out_degree = train_positives.regulator.value_counts()
    in_degree = train_positives.target.value_counts()
    score = (test_pairs.regulator.map(out_degree).fillna(0).to_numpy()
             + test_pairs.target.map(in_degree).fillna(0).to_numpy())
    return roc_auc_score(test_pairs.label, score)


def main(root):
    print("| benchmark | uniform negatives | degree-matched negatives |\n|---|---|---|")
    for network, cell, n in (("STRING", "mESC", 500), ("Non-Specific", "hHEP", 500), ("Specific", "mESC", 500)):
        ds = load_beeline(root, network, cell, n)
        is_test = np.random.default_rng(0).random(len(ds.edges)) < 0.3
        train_positives, test_positives = ds.edges[~is_test], ds.edges[is_test]
        scores = []
        for method in ("uniform", "degree_matched"):
            negatives = sample_negatives(ds.edges, ds.regulators, ds.genes, 1.0, method, random_state=0)
            scores.append(degree_auroc(train_positives, labelled_pairs(test_positives, negatives.iloc[:len(test_positives)])))
        print(f"| {network} {cell} {n} | {scores[0]:.3f} | {scores[1]:.3f} |")


if __name__ == "__main__":
    main(sys.argv[1])
