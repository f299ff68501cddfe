"""The results page (``docs/results.md``): both models, the seed ensemble and the
baselines on every BEELINE benchmark with published split files, beside the
published numbers; and every published study on the embedded synthetic data
set and on TRRUST joined with the hHEP expression.

Runs are kept in ``<page folder>/results/`` (``benchmark_runs.csv``, one row per
benchmark, split sample and scorer; ``studies/<data set>/`` with each study's
files and ``timings.json``), so an interrupted run resumes and the page is
rebuilt from what is on disk.
"""
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .data import GRNDataset, available_benchmarks, read_expression, read_prior
from .data.beeline import DEMO, beeline_folder
from .models import MODEL_NAMES
from .pipeline import PRESETS, evaluate_benchmark
from .studies import STUDIES

# Published AUROC on the cell-type-specific ChIP-seq network, mESC TFs+500.
PUBLISHED = {("Specific", "mESC", 500): "GENELink 0.88, scRegNet 0.93"}
MODEL_ORDER = ("degree baseline", "expression baseline", *MODEL_NAMES, *(f"{m} x degree" for m in MODEL_NAMES))
OURS = MODEL_ORDER[2:]


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
        best_model = max(OURS,
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
        for model in OURS:
            ours = group[group.model == model]
            if len(ours):  # against the degree baseline on the same split samples
                degree = group[(group.model == "degree baseline") & group["sample"].isin(ours["sample"])]
                beats = (ours[["auroc", "auprc"]].mean() > degree[["auroc", "auprc"]].mean()).all()
                rows.append({"benchmark": benchmark, "model": model, "beats_degree": bool(beats),
                             "every_sample": ours["sample"].nunique() == group["sample"].nunique()})
    return pd.DataFrame(rows)


def benchmarks_section(runs, settings):
    wins = verdicts(runs)
    lines = [
        "## BEELINE benchmarks, published splits",
        "",
        f"Preset `{settings['preset']}` ({settings['params']}), seed {settings['seed']}; the ensemble is "
        f"5 cross-encoder seeds, trained on samples {settings['ensemble_samples']}. Mean ± sd over the split "
        "samples; **bold**: the best grnfast model. `x degree`: the model's probability times the degree "
        "baseline's (`grnfast.pipeline.TimesDegree`, a fixed rule: trained against each regulator's own "
        "non-targets, a model cannot learn how many targets a regulator has, which randomly drawn test "
        "negatives reward). Test prevalence is the fraction of positives among the test pairs (a random "
        "scorer's AUPRC). A blank cell: not run on that benchmark; a value without ± comes from one split "
        "sample.",
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
        "beats the degree baseline's on both AUROC and AUPRC (over the same split samples):",
        "",
    ]
    for model, group in wins.groupby("model", sort=False):
        losing = group.loc[~group.beats_degree, "benchmark"].tolist()
        lines.append(f"- {model}: {int(group.beats_degree.sum())} of {len(group)}"
                     + (f"; not on {', '.join(losing)}" if losing else ""))
    best = wins.groupby("benchmark", sort=False).beats_degree.any()
    full = wins[wins.every_sample].groupby("benchmark", sort=False).beats_degree.any()
    missed = full.index[~full].tolist()
    lines += ["", f"Some grnfast configuration beats it on {int(best.sum())} of {len(best)} benchmarks; counting "
              f"only configurations run on every split sample, on {int(full.sum())} of {len(full)}"
              + (f" (not on {', '.join(missed)}: there the training negatives are each regulator's own "
                 "non-targets, so nothing in training rewards knowing a regulator's out-degree, which the "
                 "randomly drawn test negatives reward most)" if missed else "") + ".", "",
              "### Published numbers", ""]
    for (network, cell, n), text in PUBLISHED.items():
        group = runs[(runs.benchmark == f"{network} {cell} {n}")]
        ours = ", ".join(f"{m} {group.loc[group.model == m, 'auroc'].mean():.3f}"
                         for m in OURS if (group.model == m).any())
        lines.append(f"- {network} {cell} TFs+{n}, AUROC: published {text}; grnfast {ours or 'not run yet'}.")
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


def study_datasets(root, seed=0):
    """The data sets the studies run on: the embedded synthetic one, and TRRUST
    (human) joined with the hHEP TFs+1000 expression (every cell as a feature)."""
    expression = read_expression(beeline_folder(root, "Non-Specific", "hHEP", 1000) / "BL--ExpressionData.csv.gz")
    prior = read_prior(Path(root) / "priors" / "trrust_rawdata.human.tsv")
    trrust = GRNDataset.from_expression(expression, prior, features="expression", min_overlap=0.05,
                                        name="TRRUST x hHEP", random_state=seed)
    return {"synthetic": GRNDataset.synthetic(random_state=seed), "trrust-hhep": trrust}


def run_studies(folder, root, params, preset, seed, progress, resume=True):
    """Every study on every :func:`study_datasets` entry, saved under
    ``folder/<data set>/``; ``timings.json`` records what ran and how long."""
    folder = Path(folder)
    timings_path = folder / "timings.json"
    timings = json.loads(timings_path.read_text()) if resume and timings_path.exists() else {}
    params = {**PRESETS[preset], **(params or {})}
    for key, ds in study_datasets(root, seed).items():
        for name in STUDIES:
            if name in timings.get(key, {}):
                continue
            start = time.perf_counter()
            result = STUDIES[name](ds, params=params, progress=progress, random_state=seed)
            paths = result.save(folder / key)
            timings.setdefault(key, {})[name] = {"seconds": time.perf_counter() - start, "dataset": ds.name,
                                                 "files": [p.name for p in paths]}
            timings_path.write_text(json.dumps(timings, indent=2))
            if progress:
                print(f"study {name} on {ds.name}: {timings[key][name]['seconds']:.0f}s", flush=True)
    return timings


def studies_section(folder, page_dir):
    """Each study's Markdown (with its figures) from what :func:`run_studies` saved."""
    folder = Path(folder)
    timings_path = folder / "timings.json"
    if not timings_path.exists():
        return ""
    lines = ["## The published studies", "",
             "Each study on the embedded synthetic data set and on TRRUST x hHEP (TRRUST's human edges with both "
             "genes among the hHEP TFs+1000 genes; every cell's expression as the node features), random 70/15/15 "
             "split with uniform negatives at 1:1, the studies' default seeds. Wall-clock times on 2 cores "
             "(the studies run one thread per model, beside the benchmark runs). Regenerate one with "
             "`grnfast study NAME` (synthetic) or see [evaluation.md](evaluation.md).", ""]
    for key, studies in json.loads(timings_path.read_text()).items():
        for name, info in studies.items():
            markdown = next(f for f in info["files"] if f.endswith(".md"))
            body = (folder / key / markdown).read_text().split("\n", 2)[2]  # drop the file's own title
            lines += [f"### {name}: {info['dataset']} ({info['seconds'] / 60:.1f} min)", "", body.strip(), ""]
            for figure in (f for f in info["files"] if f.endswith(".png")):
                lines += [f"![{name}]({(folder / key / figure).relative_to(page_dir).as_posix()})", ""]
    return "\n".join(lines)


def write_results_page(output="docs/results.md", data=None, samples=(1, 2, 3, 4, 5), ensemble_samples=(1,),
                       params=None, preset="benchmark", seed=0, progress=True, resume=True,
                       parts=("benchmarks", "studies"), study_preset="published"):
    """Run (or resume) the benchmarks and the studies and write the page; returns its path.

    ``parts`` chooses what runs now; the page always shows everything on disk.
    """
    from .data import fetch_beeline

    root = fetch_beeline(data, download=data is None)
    output = Path(output)
    folder = output.parent / "results"
    folder.mkdir(parents=True, exist_ok=True)
    runs_path, settings_path = folder / "benchmark_runs.csv", folder / "benchmark_settings.json"
    if "benchmarks" in parts:
        settings = {"preset": preset, "params": dict(params or {}), "seed": seed, "samples": list(samples),
                    "ensemble_samples": list(ensemble_samples)}
        # Runs on disk made with other settings do not belong to this page.
        same = settings_path.exists() and json.loads(settings_path.read_text()) == settings
        settings_path.write_text(json.dumps(settings, indent=2))
        run_benchmarks(runs_path, root, samples, ensemble_samples, params, preset, seed, progress, resume and same)
    if "studies" in parts:
        run_studies(folder / "studies", root, params, study_preset, seed, progress, resume)
    sections = ["# Results", ""]
    if runs_path.exists():
        runs = pd.read_csv(runs_path)
        settings = json.loads(settings_path.read_text())
        sections += ["Generated by `grnfast results --data ../shared/data`; every benchmark run (benchmark, split "
                     f"sample, scorer, metrics, training seconds) is in `{folder.name}/{runs_path.name}`; training "
                     f"took {runs.seconds.sum() / 60:.0f} min in all on a 2-core machine.", "",
                     benchmarks_section(runs, settings), ""]
    sections.append(studies_section(folder / "studies", output.parent))
    output.write_text("\n".join(sections) + "\n")
    return output
