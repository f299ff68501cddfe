"""A BEELINE benchmark end to end: its published split samples under a protocol,
every model trained and evaluated beside the baselines (``grnfast evaluate``)."""
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data import (cold_genes_split, cold_regulators_split, degree_controlled_split, fetch_beeline, load_beeline,
                    load_published_split)
from ..data.beeline import DEMO
from ..errors import GRNInputError
from ..evaluation import summarize_runs
from ..models import make_model
from ..models.presets import with_tf_list
from ..progress import say
from .outputs import writable_folder
from .report import report_table
from .training import train


# How a benchmark is split:
# - published: GENELink's files (test negatives random pairs, where degree is a
#   strong shortcut: new targets of TFs with known edges);
# - degree-controlled: their positives with every part's negatives degree-matched
#   (the degree baseline near 0.5: does a model know more than hubs?);
# - cold-regulators: a quarter of the regulators with known edges never a training
#   or validation regulator, test = each against every gene (a TF the prior lacks);
# - cold-genes: a quarter of all genes in no training or validation pair (InfoSEM).
PROTOCOLS = ("published", "degree-controlled", "cold-regulators", "cold-genes")
COLD_PROTOCOLS = ("cold-regulators", "cold-genes")
COLD_SPLITS = {"cold-regulators": cold_regulators_split, "cold-genes": cold_genes_split}


def benchmark_task(root, dataset, network, cell, n_genes, sample, protocol="published"):
    """One split sample of a BEELINE benchmark as a PairTask under a protocol.

    The cold protocols make their own split from the benchmark's whole network
    (``dataset.edges``), ``sample`` seeding the held-out draw; their training
    negatives are drawn as GENELink's files draw them (each training regulator's
    own non-targets, 1:1; on the dense Specific sets every non-target)."""
    if protocol not in PROTOCOLS:
        raise GRNInputError(f"unknown protocol {protocol!r}; choose one of {', '.join(PROTOCOLS)}")
    if protocol in COLD_SPLITS:
        ratio = None if network in ("Specific", DEMO) else 1.0
        split = COLD_SPLITS[protocol](dataset.edges, dataset.genes, ratio=ratio, random_state=sample)
    else:
        split = load_published_split(root, network, cell, n_genes, sample)
    if protocol == "degree-controlled":
        split = degree_controlled_split(split, dataset.edges, dataset.regulators, dataset.genes, random_state=sample)
    return dataset.task(split, name=f"{network} {cell} {n_genes} sample {sample} ({protocol})")


def with_split_negatives(params, task, dataset):
    """``params`` whose random negatives draw their regulators from the data set's
    TF list (:func:`~grnfast.models.presets.with_tf_list`) but never meet a gene
    ``task``'s split holds out of training: not as regulator, nor as target where
    the split holds genes out in every role (cold-genes: a random negative with a
    held-out target would teach that it is nobody's target). ``params`` may choose."""
    unseen = set(task.notes.get("held_out", ())) | set(task.notes.get("validation_held_out", ()))
    params = with_tf_list(params, [gene for gene in dataset.regulators if gene not in unseen])
    if "target" in task.notes.get("held_out_roles", ()):
        params = {"negative_targets": [gene for gene in dataset.genes if gene not in unseen], **params}
    return params


def evaluate_benchmark(root, network, cell, n_genes, samples=(1, 2, 3, 4, 5), models=("two-tower", "cross-encoder"),
                       ensemble_samples=None, params=None, preset="default", seed=0, progress=True, on_sample=None,
                       protocol="published"):
    """Models and baselines on the split samples of one benchmark under a protocol.

    Every sample's models are trained on its Train set, early-stopped on its
    Validation set and scored on its Test set. The ensemble (5 cross-encoder
    seeds) is trained on every sample when it is among ``models``, otherwise on
    the ``ensemble_samples`` only. The models' random negatives draw their
    regulators from the benchmark's TF list, and never meet a gene a cold split
    holds out (:func:`with_split_negatives`), unless ``params`` choose.
    Returns one row per sample and scorer (``split_note``: what the split could not
    do as asked, e.g. a ratio of negatives it could not reach); ``on_sample(table)``
    is called after each sample.
    """
    ds = load_beeline(root, "Specific" if network == DEMO else network, cell, n_genes)
    samples = [1] if network == DEMO else list(samples)
    tables = []
    for sample in samples:
        task = benchmark_task(root, ds, network, cell, n_genes, sample, protocol)
        sample_params = with_split_negatives(params, task, ds)
        names = list(models) + (["ensemble"] if sample in (ensemble_samples or ()) and "ensemble" not in models else [])
        fitted = {name: train(task, name, make_model(name, ds.node_features, random_state=seed, preset=preset,
                                                     **sample_params), progress)
                  for name in names}
        table = report_table(task, fitted).assign(benchmark=f"{network} {cell} {n_genes}", sample=sample,
                                                  protocol=protocol,
                                                  split_note="; ".join(task.notes.get("split_notes", ())))
        if on_sample:
            on_sample(table)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


METRIC_NAMES = {"auroc": "AUROC", "auprc": "AUPRC", "auroc_per_regulator": "per-TF AUROC"}


def summary_metrics(protocol):
    """The metrics ``grnfast evaluate`` summarises: AUROC and AUPRC, and under a
    cold protocol the mean per-regulator AUROC (what a top-k-per-TF list uses)."""
    return ("auroc", "auprc", "auroc_per_regulator") if protocol in COLD_PROTOCOLS else ("auroc", "auprc")


@dataclass
class BenchmarkResult:
    """What :func:`run_benchmark` made: one row per sample and scorer (``runs``),
    mean and sd over the samples (``summary``) and the files written."""
    title: str
    runs: pd.DataFrame
    summary: pd.DataFrame
    files: list = field(default_factory=list)

    def report(self):
        """The plain-text summary ``grnfast evaluate`` prints, and the splits' notes."""
        lines = [self.title]
        width = max(22, *(len(model) for model in self.summary.model))
        for model, group in self.summary.groupby("model", sort=False):
            cells = [f"{METRIC_NAMES[r.metric]} {r.mean:.3f} ± {np.nan_to_num(r.sd):.3f}" for r in group.itertuples()]
            lines.append(f"  {model:<{width}}  " + "   ".join(cells))
        notes = self.runs.drop_duplicates("sample")
        lines += [f"  sample {r.sample} split: {r.split_note}" for r in notes.itertuples() if r.split_note]
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
    summary = summarize_runs(runs, by=("model",), metrics=summary_metrics(protocol))
    files = []
    if out is not None:
        for name, table in (("evaluation_runs.csv", runs), ("evaluation_summary.csv", summary)):
            table.to_csv(out / name, index=False)
            files.append(out / name)
    title = (f"{network} {cell} TFs+{n_genes} ({protocol}), samples {sorted(set(runs['sample']))}, "
             f"test prevalence {runs.prevalence.mean():.3f}")
    return BenchmarkResult(title, runs, summary, files)
