"""Reliability of each model's written weight on a BEELINE benchmark: the raw
probability (``predict_proba``) and the probability calibrated on the validation
pairs by Platt's sigmoid and by isotonic regression (grnfast.pipeline.calibration),
all measured on the test pairs of the split ``grnfast infer`` makes (70/15/15 of
the known edges, one uniform negative per positive).

Prints, per model and method: the expected calibration error over 10 equal-count
bins of test pairs, the Brier score, the log loss and the range of the weights;
the evidence for :data:`grnfast.pipeline.calibration.DEFAULT_METHOD`. Then the
reliability curve of each model's default-method weights: mean weight and
observed rate of known edges in each bin.

    python bench/calibration_reliability.py --data ../shared/data --network Non-Specific --cell hHEP --genes 1000
"""
import argparse

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, log_loss

from grnfast.data import load_beeline
from grnfast.pipeline.calibration import DEFAULT_METHOD, METHODS, fit_calibration, reliability
from grnfast.models.presets import with_tf_list
from grnfast.pipeline.training import model_names, train_models


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--network", default="Non-Specific")
    parser.add_argument("--cell", default="hHEP")
    parser.add_argument("--genes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=1)
    args = parser.parse_args()
    ds = load_beeline(args.data, args.network, args.cell, args.genes, random_state=args.seed)
    task = ds.task(ds.split("random", random_state=args.seed))
    fitted = train_models(task, model_names("all"), with_tf_list({"n_jobs": args.n_jobs}, ds.regulators),
                          random_state=args.seed, progress=False)
    rows, curves = [], {}
    for name, (model, seconds) in fitted.items():
        weights = {"raw": model.predict_proba(task.X_test)[:, 1]}
        for method in METHODS:
            calibration = fit_calibration(model, task.X_val, task.y_val, method)
            weights[method] = calibration.probability(model.decision_function(task.X_test))
        curve = reliability(weights[DEFAULT_METHOD], task.y_test, 10)[0]
        curves[name] = curve.apply(lambda row: f"{row.predicted:.2f}/{row.observed:.2f}", axis=1)
        for method, p in weights.items():
            rows.append({"model": name, "weight": method, "ECE": reliability(p, task.y_test, 10)[1],
                         "Brier": brier_score_loss(task.y_test, p),
                         "log loss": log_loss(task.y_test, np.clip(p, 1e-6, 1 - 1e-6)),
                         "min": p.min(), "max": p.max(), "train s": seconds})
    print(f"{ds.name}: {len(task.y_val)} validation pairs, {len(task.y_test)} test pairs "
          f"(prevalence {task.test_prevalence:.2f})")
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"\nreliability of the {DEFAULT_METHOD} weights, mean weight / observed rate per bin of test pairs:")
    print(pd.DataFrame(curves).to_string())


if __name__ == "__main__":
    main()
