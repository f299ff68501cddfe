"""How embedding_dropout was chosen, on validation pairs only (never test pairs).

For sample 1 of a BEELINE benchmark's published split, each model with the given
parameters (as the commands train it: the TF list as the random negatives'
regulators) is fitted on Train, early-stopped on Validation, and scored on
- the validation pairs, and the validation pairs plus random pairs
  (``grnfast.pipeline.selection_pairs`` with the TF list);
- a cold-regulator check built inside the training data: a seeded quarter of the
  regulators with training edges held out as regulators (their training pairs
  removed, so they may still be targets), the model refitted without them (random
  negatives over the training edges' regulators only), and each held-out TF scored
  against every gene, labelled by the training and validation positives; pooled
  AUROC / AUPRC and the mean per-TF AUROC.

    python bench/embedding_dropout_selection.py STRING mESC 500 two-tower,cross-encoder,late-interaction \
        "dict(embedding_dropout=0.1)" p0.1 >> selection.jsonl

Prints one JSON line per model.
"""
import json, os, sys, time
import numpy as np, pandas as pd
from grnfast.data import load_beeline
from grnfast.evaluation import evaluate
from grnfast.pipeline import benchmark_task, selection_pairs
from grnfast.models import make_model
from grnfast.models.presets import with_tf_list

DATA = os.environ.get("GRNFAST_DATA", "../shared/data")

def cold_regulator_task(task, frac=0.25, seed=0):
    """Hold out a quarter of the training regulators (those with training edges): no training
    pair has one as regulator; validation = each held-out TF x every gene, labels from the
    training + validation positives (never test pairs)."""
    Xtr, ytr = task.X_train.reset_index(drop=True), np.asarray(task.y_train)
    regs = np.unique(Xtr["regulator"][ytr == 1])
    rng = np.random.default_rng(seed)
    held = set(rng.choice(regs, max(1, int(round(frac * len(regs)))), replace=False))
    keep = ~Xtr["regulator"].isin(held).to_numpy()
    genes = task.node_features.index
    known = set(map(tuple, Xtr[ytr == 1].to_numpy())) | set(map(tuple, task.X_val[np.asarray(task.y_val) == 1].to_numpy()))
    rows = [(r, g) for r in sorted(held) for g in genes if g != r]
    X = pd.DataFrame(rows, columns=["regulator", "target"])
    y = np.array([(r, g) in known for r, g in rows], dtype=int)
    return Xtr[keep], ytr[keep], X, y

def main():
    """benchmark (network cell n), models (comma-separated), params (a dict expression), tag"""
    network, cell, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    models = sys.argv[4].split(",")
    params = eval(sys.argv[5]) if len(sys.argv) > 5 else {}
    tag = sys.argv[6] if len(sys.argv) > 6 else str(params)
    ds = load_beeline(DATA, network, cell, n)
    task = benchmark_task(DATA, ds, network, cell, n, 1)
    sel_X, sel_y = selection_pairs(task, regulators=list(ds.regulators))
    cXtr, cytr, cX, cy = cold_regulator_task(task)
    for name in models:
        p = with_tf_list({"n_jobs": 1, **params}, ds.regulators)
        t = time.time()
        m = make_model(name, ds.node_features, random_state=0, **p)
        m.fit(task.X_train, task.y_train, eval_set=(task.X_val, task.y_val))
        val = evaluate(task.y_val, m.predict_proba(task.X_val)[:, 1])
        sel = evaluate(sel_y, m.predict_proba(sel_X)[:, 1])
        t1 = time.time() - t
        # The cold-regulator check: TF-list negatives would teach the held-out TFs "no target",
        # so its random negatives draw the training edges' regulators only.
        pc = {**{"n_jobs": 1}, **params}
        mc = make_model(name, ds.node_features, random_state=0, **pc)
        mc.fit(cXtr, cytr)
        pr = mc.predict_proba(cX)[:, 1]
        cold = evaluate(cy, pr)
        per = []
        for r, g in cX.assign(y=cy, p=pr).groupby("regulator"):
            if 0 < g.y.sum() < len(g):
                from sklearn.metrics import roc_auc_score
                per.append(roc_auc_score(g.y, g.p))
        print(json.dumps({"benchmark": f"{network} {cell} {n}", "model": name, "setting": tag,
                          "val_auroc": val["auroc"], "val_auprc": val["auprc"],
                          "sel_auroc": sel["auroc"], "sel_auprc": sel["auprc"],
                          "cold_auroc": cold["auroc"], "cold_auprc": cold["auprc"],
                          "cold_per_tf_auroc": float(np.mean(per)) if per else None,
                          "cold_prevalence": float(cy.mean()), "seconds": round(time.time() - t, 1),
                          "fit_seconds": round(t1, 1), "n_iter": m.n_iter_}), flush=True)

main()
