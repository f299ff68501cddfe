"""The default ``grnfast infer`` job at genome scale (issue 28), step by step.

    python bench/genome_job.py                     # 30,000 cells x 20,000 genes, 1,170 TFs, 40,000 edges
    python bench/genome_job.py --scale 0.25        # a quick version: every count x 0.25
    python bench/genome_job.py --models cross-encoder --n-jobs 2
    python bench/genome_job.py --param embedding_update=lazy   # a candidate default, every model

Makes the job's inputs once (kept under ``--dir``, seeded): a sparse cells x genes
``.h5ad`` of raw counts, 5% non-zero, with 25 cell types in ``.obs['cell_type']``
(``bench/atlas_h5ad.py``'s writer), and a CollecTRI-sized prior (source, target,
weight = mode of regulation +-1; 40,000 edges over 1,170 TFs, out-degrees
heavy-tailed as in a real prior). Then runs, in a fresh process, what

    grnfast infer --expression genome.h5ad --prior prior.tsv --groupby cell_type --gene-symbols symbol

runs (``grnfast.pipeline.infer(InputFiles(...))``, the defaults: every model, the
default preset, top 100 targets per regulator, figures), and reports each step's
wall seconds, CPU seconds (all threads of the process: ``time.process_time``) and
the peak resident memory at its end, from :class:`grnfast.pipeline.StepTimes`:
the pipeline's own steps (loading, training, evaluation, scoring) and, within them,
each model's training, scoring and writing (the bench times those by wrapping
``pipeline.training.train``, ``pipeline.inference.rank_edges`` and
``write_edge_list``; nothing else changes). For each model also: epochs run, the
best epoch (by the validation score early stopping restores), the epochs after it
and their share of the training time, and the genome-wide pairs per second.

``--json PATH`` writes the rows; the table is printed as Markdown.
"""
import argparse
import ast
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# The job of issue 28, at --scale 1.
CELLS, GENES, DENSITY, CELL_TYPES, TFS, EDGES = 30_000, 20_000, 0.05, 25, 1_170, 40_000


def sizes(scale):
    def n(x, low):
        return max(low, int(round(x * scale)))

    return {"cells": n(CELLS, 500), "genes": n(GENES, 500), "tfs": n(TFS, 20), "edges": n(EDGES, 400)}


def write_prior(path, n_genes, n_tfs, n_edges, seed=0):
    """A CollecTRI-style table (source, target, weight): ``n_tfs`` regulators drawn
    among the genes, each with a heavy-tailed number of distinct targets (a few hubs
    with thousands, most with a handful), ``n_edges`` edges, no self-loops."""
    rng = np.random.default_rng(seed)
    tfs = rng.choice(n_genes, n_tfs, replace=False)
    weights = rng.pareto(1.2, n_tfs) + 1.0
    degree = np.maximum(1, np.floor(weights / weights.sum() * n_edges)).astype(int)
    degree = np.minimum(degree, n_genes - 1)
    while degree.sum() < n_edges:  # top up the largest remainders one by one (cheap: few steps)
        degree[rng.integers(0, n_tfs)] += 1
    while degree.sum() > n_edges:
        degree[np.argmax(degree)] -= 1
    sources, targets = [], []
    for tf, k in zip(tfs, degree):
        choice = rng.choice(n_genes - 1, k, replace=False)
        choice[choice >= tf] += 1  # skip the TF itself
        sources.append(np.full(k, tf))
        targets.append(choice)
    sources, targets = np.concatenate(sources), np.concatenate(targets)
    table = pd.DataFrame({"source": [f"GENE{g}" for g in sources], "target": [f"GENE{g}" for g in targets],
                          "weight": rng.choice([1, -1], len(sources), p=[0.75, 0.25])})
    table.to_csv(path, sep="\t", index=False)
    return table


def make_inputs(directory, scale):
    """The job's .h5ad and prior under ``directory`` (written once)."""
    from atlas_h5ad import write_atlas

    s = sizes(scale)
    directory.mkdir(parents=True, exist_ok=True)
    h5ad, prior = directory / "genome.h5ad", directory / "prior.tsv"
    if not h5ad.exists():
        start = time.perf_counter()
        write_atlas(h5ad, s["cells"], s["genes"], DENSITY, CELL_TYPES, seed=0)
        print(f"wrote {h5ad} ({h5ad.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - start:.0f}s",
              file=sys.stderr)
    if not prior.exists():
        write_prior(prior, s["genes"], s["tfs"], s["edges"])
    return h5ad, prior


def parse_params(items):
    """``NAME=VALUE`` strings as the models' parameters (a Python literal, else the text)."""
    params = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise SystemExit(f"--param needs NAME=VALUE; got {item!r}")
        try:
            params[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[name] = value
    return params


def job(h5ad, prior, models, n_jobs, output, extra=None):
    """The job in this process; returns the report's rows and the models' facts."""
    import grnfast.pipeline.inference as inference
    import grnfast.pipeline.networks as networks
    import grnfast.pipeline.training as training
    from grnfast.data import InputFiles
    from grnfast.pipeline import StepTimes, infer

    times = StepTimes()
    facts = {}

    def wrap(module, name, step, gap):
        original = getattr(module, name)

        def timed(*args, **kwargs):
            # what ran since the last lap: the pipeline's work before the first model
            # step of this kind (loading and the split; the evaluation), then between models
            times.lap(gap if not timed.calls else "between models")
            timed.calls += 1
            out = original(*args, **kwargs)
            label = step(args, kwargs, out)
            times.lap(label)
            return out

        timed.calls = 0
        setattr(module, name, timed)
        return original

    def train_step(args, kwargs, out):
        name = args[1]
        model = out[0]
        scores = getattr(model, "validation_scores_", None)
        scores = [float(v) for v in scores] if scores is not None else []
        patience, tol = model.get_params().get("n_iter_no_change"), model.get_params().get("tol", 1e-4)
        facts.setdefault(name, {}).update(
            epochs=int(getattr(model, "n_iter_", 0) or 0),
            # the epoch whose weights early stopping restored: the last improvement by more than tol
            best_epoch=early_stopping(scores, patience or len(scores) + 1, tol)[1] if scores else None,
            validation_scores=scores, n_iter_no_change=patience, tol=tol)
        return f"train {name}"

    def score_step(args, kwargs, out):
        name = kwargs["progress"].removeprefix("scoring ") if kwargs.get("progress") else f"model {id(args[0])}"
        model = args[0]
        n_reg = len(args[1]) if len(args) > 1 and args[1] is not None else 0
        n_tgt = len(args[2]) if len(args) > 2 and args[2] is not None else int(model.network_.genes.n_genes)
        facts.setdefault(name, {})["pairs_scored"] = n_reg * n_tgt
        score_step.last = name
        return f"score {name}"

    def write_step(args, kwargs, out):
        return f"write {getattr(score_step, 'last', '?')}"

    originals = [
        (training, "train", wrap(training, "train", train_step, "load + split")),
        (networks, "rank_edges", wrap(networks, "rank_edges", score_step, "evaluation + checks")),
        (inference, "write_edge_list", wrap(inference, "write_edge_list", write_step, "between models")),
    ]
    params = {**({"n_jobs": n_jobs} if n_jobs else {}), **(extra or {})} or None
    try:
        result = infer(InputFiles(str(h5ad), prior=str(prior), groupby="cell_type", gene_symbols="symbol"), models=models, params=params,
                       output=str(output), progress=True)
    finally:
        for module, name, original in originals:
            setattr(module, name, original)
    times.lap("figures + the rest")
    for name, model in result.models.items():
        f = facts.setdefault(name, {})
        f["training_seconds"] = result.training_seconds[name]
        f["regulators"] = len(result.dataset.regulators)
    summary = result.dataset.summary()
    return {"rows": times.rows(), "facts": facts, "closing_line": result.closing_line,
            "total_wall": time.perf_counter() - times.start, "total_cpu": time.process_time() - times.start_cpu,
            "dataset": {k: summary[k] for k in ("genes", "regulators", "edges")},
            "task": {"train": int(len(result.task.y_train)), "validation": int(len(result.task.y_val))}}


def early_stopping(scores, patience, tol=1e-4):
    """(epochs run, best epoch, its score) that early stopping with this patience
    would give on a validation curve (as grnfast.models._training.EarlyStopping
    counts: an improvement is more than tol). Exact for any patience up to the run's
    own: an epoch's weights do not depend on the patience."""
    best, best_epoch, since = -np.inf, 0, 0
    for epoch, score in enumerate(scores, 1):
        if score > best + tol:
            best, best_epoch, since = score, epoch, 0
        else:
            since += 1
        if since >= patience:
            return epoch, best_epoch, best
    return len(scores), best_epoch, best


def patience_table(report):
    """What a smaller patience would have cost and chosen, model by model."""
    steps = {step: (wall, cpu) for step, wall, cpu, _ in report["rows"]}
    lines = ["| model | patience | epochs | best epoch | its validation AUROC | training CPU s (at the run's "
             "CPU s per epoch) |", "|---|---:|---:|---:|---:|---:|"]
    for name, f in report["facts"].items():
        scores, own = f.get("validation_scores") or [], f.get("n_iter_no_change")
        if not scores or not own:
            continue
        per_epoch = steps.get(f"train {name}", (0, 0))[1] / len(scores)
        for patience in range(1, own + 1):
            epochs, best_epoch, best = early_stopping(scores, patience, f.get("tol", 1e-4))
            lines.append(f"| {name} | {patience}{' (default)' if patience == own else ''} | {epochs} | {best_epoch} | "
                         f"{best:.4f} | {epochs * per_epoch:.1f} |")
    return "\n".join(lines)


def table(report):
    rows = report["rows"]
    lines = ["| step | wall s | CPU s | CPU / wall | peak RSS so far at its (last) end, MB |", "|---|---:|---:|---:|---:|"]
    for step, wall, cpu, peak in rows:
        lines.append(f"| {step} | {wall:.1f} | {cpu:.1f} | {cpu / wall if wall > 0 else 0:.2f} | {peak:.0f} |")
    lines.append(f"| **total** | **{report['total_wall']:.1f}** | **{report['total_cpu']:.1f}** | "
                 f"{report['total_cpu'] / report['total_wall']:.2f} | {max(r[3] for r in rows):.0f} |")
    steps = {step: (wall, cpu) for step, wall, cpu, _ in rows}
    lines += ["", "| model | epochs | best epoch | epochs after the best | their wall s / CPU s (share of training) | "
                  "score wall s / CPU s | pairs scored | pairs/s (wall) | pairs per CPU s |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, f in report["facts"].items():
        train_wall, train_cpu = steps.get(f"train {name}", (0, 0))
        epochs, best = f.get("epochs", 0), f.get("best_epoch")
        after = epochs - best if best else 0
        share = after / epochs if epochs else 0.0  # epochs cost about the same: the share of the training time
        score_wall, score_cpu = steps.get(f"score {name}", (0, 0))
        pairs = f.get("pairs_scored") or 0
        lines.append(f"| {name} | {epochs} | {best} | {after} | {share * train_wall:.1f} / {share * train_cpu:.1f} "
                     f"({share:.0%}) | {score_wall:.1f} / {score_cpu:.1f} | {pairs:,} | "
                     f"{pairs / score_wall if score_wall else 0:,.0f} | {pairs / score_cpu if score_cpu else 0:,.0f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="every count times this (default 1: issue 28's job)")
    parser.add_argument("--models", default="all", help="all (the default job), both, or one model's name")
    parser.add_argument("--n-jobs", type=int, default=None, help="threads per model (default: the models' own)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a model parameter for every model, e.g. embedding_update=lazy (repeatable)")
    parser.add_argument("--dir", default=None, help="where the inputs are kept (default /tmp/grnfast_genome_job_SCALE)")
    parser.add_argument("--json", default=None, help="also write the report here")
    parser.add_argument("--run", action="store_true", help=argparse.SUPPRESS)  # the fresh process's side
    args = parser.parse_args()
    directory = Path(args.dir or f"/tmp/grnfast_genome_job_{args.scale:g}")
    h5ad, prior = make_inputs(directory, args.scale)
    if args.run:
        report = job(h5ad, prior, args.models, args.n_jobs, directory / f"out_{args.models}",
                     parse_params(args.param))
        print("REPORT " + json.dumps(report))
        return
    params = parse_params(args.param)  # a malformed one stops here, before the job
    command = [sys.executable, __file__, "--run", "--scale", str(args.scale), "--models", args.models,
               "--dir", str(directory)] + (["--n-jobs", str(args.n_jobs)] if args.n_jobs else [])
    command += [f"--param={item}" for item in args.param]
    s = sizes(args.scale)
    print(f"genome job, scale {args.scale:g}: {s['cells']} cells x {s['genes']} genes ({DENSITY:.0%} non-zero, "
          f"{CELL_TYPES} cell types), prior {s['edges']} edges over {s['tfs']} TFs; models {args.models}; "
          f"parameters {params or 'the defaults'}; "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}", flush=True)
    proc = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"the job failed ({proc.returncode})")
    report = json.loads(next(line for line in proc.stdout.splitlines() if line.startswith("REPORT "))[7:])
    print(f"data set: {report['dataset']}; pairs: {report['task']}")
    print(report["closing_line"])
    print(table(report))
    print()
    print(patience_table(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
