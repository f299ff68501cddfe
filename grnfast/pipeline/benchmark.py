"""A BEELINE benchmark end to end: its published split samples under a protocol,
every model trained and evaluated beside the baselines (``grnfast evaluate``)."""
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data import degree_controlled_split, fetch_beeline, load_beeline, load_published_split
from ..data.beeline import DEMO
from ..errors import GRNInputError
from ..evaluation import summarize_runs
from ..models import make_model
from ..models.presets import with_tf_list
from ..progress import say
from .outputs import writable_folder
from .report import report_table
from .training import train


# How a benchmark's published split is used: as published (GENELink's protocol:
# test negatives random pairs, where degree is a strong shortcut), or with every
# part's negatives degree-matched to its positives (the degree baseline near 0.5).
PROTOCOLS = ("published", "degree-controlled")


def benchmark_task(root, dataset, network, cell, n_genes, sample, protocol="published"):
    """One split sample of a BEELINE benchmark as a PairTask under a protocol."""
    if protocol not in PROTOCOLS:
        raise GRNInputError(f"unknown protocol {protocol!r}; choose one of {', '.join(PROTOCOLS)}")
    split = load_published_split(root, network, cell, n_genes, sample)
    if protocol == "degree-controlled":
        split = degree_controlled_split(split, dataset.edges, dataset.regulators, dataset.genes, random_state=sample)
    return dataset.task(split, name=f"{network} {cell} {n_genes} sample {sample} ({protocol})")


def evaluate_benchmark(root, network, cell, n_genes, samples=(1, 2, 3, 4, 5), models=("two-tower", "cross-encoder"),
                       ensemble_samples=None, params=None, preset="default", seed=0, progress=True, on_sample=None,
                       protocol="published"):
    """Models and baselines on the split samples of one benchmark under a protocol.

    Every sample's models are trained on its Train set, early-stopped on its
    Validation set and scored on its Test set. The ensemble (5 cross-encoder
    seeds) is trained on every sample when it is among ``models``, otherwise on
    the ``ensemble_samples`` only.
    Returns one row per sample and scorer; ``on_sample(table)`` is called after
    each sample.
    """
    ds = load_beeline(root, "Specific" if network == DEMO else network, cell, n_genes)
    params = with_tf_list(params, ds.regulators)
    samples = [1] if network == DEMO else list(samples)
    tables = []
    for sample in samples:
        task = benchmark_task(root, ds, network, cell, n_genes, sample, protocol)
        names = list(models) + (["ensemble"] if sample in (ensemble_samples or ()) and "ensemble" not in models else [])
        fitted = {name: train(task, name, make_model(name, ds.node_features, random_state=seed, preset=preset,
                                                     **params), progress)
                  for name in names}
        table = report_table(task, fitted).assign(benchmark=f"{network} {cell} {n_genes}", sample=sample,
                                                  protocol=protocol)
        if on_sample:
            on_sample(table)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


@dataclass
class BenchmarkResult:
    """What :func:`run_benchmark` made: one row per sample and scorer (``runs``),
    mean and sd over the samples (``summary``) and the files written."""
    title: str
    runs: pd.DataFrame
    summary: pd.DataFrame
    files: list = field(default_factory=list)

    def report(self):
        """The plain-text summary ``grnfast evaluate`` prints."""
        lines = [self.title]
        width = max(22, *(len(model) for model in self.summary.model))
        for model, group in self.summary.groupby("model", sort=False):
            cells = [f"{r.metric.upper()} {r.mean:.3f} ± {np.nan_to_num(r.sd):.3f}" for r in group.itertuples()]
            lines.append(f"  {model:<{width}}  " + "   ".join(cells))
        return "\n".join(lines)


def run_benchmark(data, network, cell, n_genes, samples=(1, 2, 3, 4, 5), models=("two-tower", "cross-encoder"), *,
                  protocol="published", output="grnfast-out", params=None, preset="default", seed=0, progress=True):
    """:func:`evaluate_benchmark` on the BEELINE data in ``data`` (downloaded to the
    cache when None), its runs and their summary written to ``output``
    (``evaluation_runs.csv``, ``evaluation_summary.csv``; nothing written when None)."""
    out = writable_folder(output) if output is not None else None
    root = fetch_beeline(data, download=data is None, progress=progress)

    def say_sample(table):
        say(f"sample {table['sample'].iloc[0]}: " + ", ".join(
            f"{r.model} AUROC {r.auroc:.3f} AUPRC {r.auprc:.3f}" for r in table.itertuples()), enabled=progress)

    runs = evaluate_benchmark(root, network, cell, n_genes, samples, models, params=params, preset=preset, seed=seed,
                              progress=progress, on_sample=say_sample, protocol=protocol)
    summary = summarize_runs(runs, by=("model",), metrics=("auroc", "auprc"))
    files = []
    if out is not None:
        for name, table in (("evaluation_runs.csv", runs), ("evaluation_summary.csv", summary)):
            table.to_csv(out / name, index=False)
            files.append(out / name)
    title = (f"{network} {cell} TFs+{n_genes} ({protocol}), samples {sorted(set(runs['sample']))}, "
             f"test prevalence {runs.prevalence.mean():.3f}")
    return BenchmarkResult(title, runs, summary, files)
