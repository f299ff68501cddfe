"""Whether the random negatives should draw regulators without a training edge
(``negative_regulators``), on validation pairs only: each model trained on sample 1
of the selection benchmarks with ``negative_regulators=None`` (the estimators'
default) and with the benchmark's TF list (what the commands pass since,
``grnfast.models.presets.with_tf_list``), scored on two kinds of selection pairs
(``selection_pairs`` in tools/selection_runs.py, never test pairs): as the
defaults were chosen (random pairs of the known edges' regulators), and with the TF
list as regulators, as genome-wide scoring and GENELink's test sets meet them. The
degree baseline beside.

    python bench/negative_regulators_selection.py [--data ../shared/data] [--models ...] [--out CSV]
"""
import argparse
import sys
from pathlib import Path

import pandas as pd

from grnfast.data import load_beeline
from grnfast.evaluation import evaluate
from grnfast.evaluation.protocol import baselines
from grnfast.models import MODELS, make_model
from grnfast.pipeline import benchmark_task, train

# tools/ sits beside bench/ and is not installed: put it on the path to import its modules by name.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from selection_runs import SELECTION_BENCHMARKS, selection_pairs  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    parser.add_argument("--out", default="negative_regulators_selection.csv")
    args = parser.parse_args()
    rows = []
    for network, cell, n in SELECTION_BENCHMARKS:
        ds = load_beeline(args.data, network, cell, n)
        task = benchmark_task(args.data, ds, network, cell, n, 1)
        tf_list = list(ds.regulators)
        pairs = {"as chosen": selection_pairs(task), "TF list": selection_pairs(task, regulators=tf_list)}
        scorers = {("degree baseline", "-"): baselines(task)["degree baseline"]}
        for model in args.models:
            for option, value in (("None", None), ("TF list", tf_list)):
                params = {"n_jobs": 1, "negative_regulators": value}
                scorers[(model, option)], _ = train(task, model, make_model(model, ds.node_features, random_state=0,
                                                                            **params), False)
        for (model, option), scorer in scorers.items():
            for kind, (X, y) in pairs.items():
                metrics = evaluate(y, scorer.predict_proba(X)[:, 1])
                rows.append({"benchmark": f"{network} {cell} {n}", "model": model, "negative_regulators": option,
                             "selection pairs": kind, "auroc": metrics["auroc"], "auprc": metrics["auprc"]})
        pd.DataFrame(rows).to_csv(args.out, index=False)
        print(f"{network} {cell} {n} done", flush=True)
    table = pd.DataFrame(rows).pivot_table(index=["benchmark", "model", "negative_regulators"],
                                           columns="selection pairs", values=["auroc", "auprc"], sort=False)
    print(table.round(3).to_string())


if __name__ == "__main__":
    main()
