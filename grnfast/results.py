"""The results page (``docs/results.md``): both models, the seed ensemble and the
baselines on every BEELINE benchmark with published split files, beside the
published numbers.

Runs are kept in ``<page folder>/results/benchmark_runs.csv`` (one row per
benchmark, split sample and scorer), so an interrupted run resumes and the page
is rebuilt from what is on disk.
"""
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .data import available_benchmarks, load_beeline, load_published_split
from .data.beeline import DEMO
from .pipeline import make_model, report_table, train

# Published AUROC on the cell-type-specific ChIP-seq network, mESC TFs+500.
PUBLISHED = {("Specific", "mESC", 500): "GENELink 0.88, scRegNet 0.93"}
MODEL_ORDER = ("degree baseline", "expression baseline", "two-tower", "cross-encoder", "ensemble")


def evaluate_benchmark(root, network, cell, n_genes, samples=(1, 2, 3, 4, 5), models=("two-tower", "cross-encoder"),
                       ensemble_samples=None, params=None, preset="benchmark", seed=0, progress=True, on_sample=None):
    """Models and baselines on the published splits of one benchmark.

    Every sample's models are trained on its Train set, early-stopped on its
    Validation set and scored on its Test set. The ensemble (5 cross-encoder
    seeds) is trained on every sample when it is among ``models``, otherwise on
    the ``ensemble_samples`` only.
    Returns one row per sample and scorer; ``on_sample(table)`` is called after
    each sample.
    """
    ds = load_beeline(root, "Specific" if network == DEMO else network, cell, n_genes)
    samples = [1] if network == DEMO else list(samples)
    tables = []
    for sample in samples:
        split = load_published_split(root, network, cell, n_genes, sample)
        task = ds.task(split, name=f"{network} {cell} {n_genes} sample {sample}")
        names = list(models) + (["ensemble"] if sample in (ensemble_samples or ()) and "ensemble" not in models else [])
        fitted = {name: train(task, name, make_model(name, ds.node_features, params, seed, preset), progress)
                  for name in names}
        table = report_table(task, fitted).assign(benchmark=f"{network} {cell} {n_genes}", sample=sample)
        if on_sample:
            on_sample(table)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def mean_sd(values):
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return ""
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{values.mean():.3f} ± {values.std(ddof=1):.3f}"


def benchmark_table(runs, metric):
    """Markdown: one row per benchmark, one column per scorer, mean ± sd over samples."""
    scorers = [m for m in MODEL_ORDER if m in set(runs.model)]
    lines = ["| benchmark | test prevalence | " + " | ".join(scorers) + " |", "|---" * (len(scorers) + 2) + "|"]
    for benchmark, group in runs.groupby("benchmark", sort=False):
        best_model = max(("two-tower", "cross-encoder", "ensemble"),
                         key=lambda m: group.loc[group.model == m, metric].mean() if (group.model == m).any() else -1)
        cells = []
        for scorer in scorers:
            text = mean_sd(group.loc[group.model == scorer, metric])
            cells.append(f"**{text}**" if scorer == best_model else text)
        lines.append(f"| {benchmark} | {group.prevalence.mean():.3f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdicts(runs):
    """Per benchmark and model: does its mean beat the degree baseline's on both AUROC and AUPRC?"""
    rows = []
    for benchmark, group in runs.groupby("benchmark", sort=False):
        means = group.groupby("model")[["auroc", "auprc"]].mean()
        degree = means.loc["degree baseline"]
        for model in ("two-tower", "cross-encoder", "ensemble"):
            if model in means.index:
                rows.append({"benchmark": benchmark, "model": model,
                             "beats_degree": bool((means.loc[model] > degree).all())})
    return pd.DataFrame(rows)


def benchmarks_section(runs, settings):
    wins = verdicts(runs)
    lines = [
        "## BEELINE benchmarks, published splits",
        "",
        f"Preset `{settings['preset']}` ({settings['params']}), seed {settings['seed']}; the ensemble is "
        f"5 cross-encoder seeds, trained on samples {settings['ensemble_samples']}. Mean ± sd over the split "
        "samples; **bold**: the best grnfast model. Test prevalence is the fraction of positives among the "
        "test pairs (a random scorer's AUPRC).",
        "",
        "### AUROC",
        "",
        benchmark_table(runs, "auroc"),
        "",
        "### AUPRC",
        "",
        benchmark_table(runs, "auprc"),
        "",
        "### Against the degree baseline",
        "",
        "A model that does not beat the training-free degree baseline (regulator out-degree plus target "
        "in-degree over training positives) has learned nothing beyond degree. Benchmarks where the mean "
        "beats the degree baseline on both AUROC and AUPRC:",
        "",
    ]
    for model, group in wins.groupby("model", sort=False):
        losing = group.loc[~group.beats_degree, "benchmark"].tolist()
        lines.append(f"- {model}: {int(group.beats_degree.sum())} of {len(group)}"
                     + (f"; not on {', '.join(losing)}" if losing else ""))
    best = wins.groupby("benchmark").beats_degree.any()
    lines += ["", f"Best grnfast model beats it on {int(best.sum())} of {len(best)} benchmarks.", "",
              "### Published numbers", ""]
    for (network, cell, n), text in PUBLISHED.items():
        group = runs[(runs.benchmark == f"{network} {cell} {n}")]
        ours = ", ".join(f"{m} {group.loc[group.model == m, 'auroc'].mean():.3f}"
                         for m in ("two-tower", "cross-encoder", "ensemble") if (group.model == m).any())
        lines.append(f"- {network} {cell} TFs+{n}, AUROC: published {text}; grnfast {ours}.")
    return "\n".join(lines)


def run_benchmarks(runs_path, root, samples, ensemble_samples, params, preset, seed, progress, resume=True):
    """Every benchmark (plus GENELink's demo split), appending to ``runs_path``
    after each sample; with ``resume``, (benchmark, sample) pairs already there are skipped."""
    runs_path = Path(runs_path)
    done = pd.read_csv(runs_path) if resume and runs_path.exists() else pd.DataFrame(columns=["benchmark", "sample"])
    finished = set(zip(done.benchmark, done["sample"]))
    tables = [done] if len(done) else []

    def save(table):
        tables.append(table)
        pd.concat(tables, ignore_index=True).to_csv(runs_path, index=False)

    benchmarks = available_benchmarks(root)
    if (Path(root) / "beeline-splits" / DEMO).is_dir():
        benchmarks.append((DEMO, "mESC", 500))
    for network, cell, n in benchmarks:
        todo = [s for s in ([1] if network == DEMO else samples) if (f"{network} {cell} {n}", s) not in finished]
        if todo:
            start = time.perf_counter()
            evaluate_benchmark(root, network, cell, n, todo, ensemble_samples=ensemble_samples, params=params,
                               preset=preset, seed=seed, progress=progress, on_sample=save)
            if progress:
                print(f"{network} {cell} {n}: {time.perf_counter() - start:.0f}s", flush=True)
    return pd.concat(tables, ignore_index=True)


def write_results_page(output="docs/results.md", data=None, samples=(1, 2, 3, 4, 5), ensemble_samples=(1,),
                       params=None, preset="benchmark", seed=0, progress=True, resume=True):
    """Run (or resume) every benchmark and write the page; returns its path."""
    from .data import fetch_beeline

    root = fetch_beeline(data, download=data is None)
    output = Path(output)
    folder = output.parent / "results"
    folder.mkdir(parents=True, exist_ok=True)
    settings = {"preset": preset, "params": dict(params or {}), "seed": seed, "samples": list(samples),
                "ensemble_samples": list(ensemble_samples)}
    settings_path = folder / "benchmark_settings.json"
    if resume and settings_path.exists() and json.loads(settings_path.read_text()) != settings:
        resume = False  # other settings: the runs on disk do not belong to this page
    settings_path.write_text(json.dumps(settings, indent=2))
    runs = run_benchmarks(folder / "benchmark_runs.csv", root, samples, ensemble_samples, params, preset, seed,
                          progress, resume)
    header = ["# Results", "",
              "Generated by `grnfast results --data ../shared/data`; every run (benchmark, split sample, scorer, "
              f"metrics, training seconds) is in `{folder.name}/benchmark_runs.csv`, and training took "
              f"{runs.seconds.sum() / 60:.0f} min in all on a 2-core machine.", ""]
    output.write_text("\n".join(header) + "\n" + benchmarks_section(runs, settings) + "\n")
    return output
