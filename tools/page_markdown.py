"""The Markdown of the results page, built from the runs on disk alone (nothing
here trains): the benchmark tables and verdicts per protocol, the choice of
defaults, the late-interaction n_vectors, and the studies."""
import json
from pathlib import Path

import numpy as np
import pandas as pd

from grnfast.data.beeline import DEMO
from grnfast.evaluation.report import format_mean_sd, markdown_table, seed_summary
from grnfast.models import MODEL_NAMES, MODELS, PRESETS
from grnfast.pipeline import PROTOCOLS
from grnfast.studies import STUDIES

from benchmark_runs import BASELINES, negative_regulators_label
from protocol_selection import protocol_verdicts

# How the page names the command that regenerates it.
COMMAND = "python tools/results_page.py"

# Published numbers beside ours. GENELink's own code on the same split files was run
# by the project (sample 1, 20 epochs, the epoch chosen on validation AUROC).
PUBLISHED = {
    ("Specific", "mESC", 500): "AUROC: GENELink 0.88, scRegNet 0.93 (their papers' splits)",
    ("STRING", "mESC", 500): "GENELink's code on these split files, sample 1: AUROC 0.859, AUPRC 0.121",
    ("Non-Specific", "mESC", 500): "GENELink's code on these split files, sample 1: AUROC 0.741, AUPRC 0.041",
}
ALONE = MODEL_NAMES  # each model alone; "<model> x degree" rows multiply it by the degree baseline
# Peers run by bench/ in their own environments, scored on the same test pairs.
PEERS = ("GRNBoost2",)
PEER_RUNS = Path(__file__).resolve().parents[1] / "bench" / "peers" / "grnboost2_runs.csv"
MODEL_ORDER = (*BASELINES, *PEERS, *ALONE, *(f"{m} x degree" for m in ALONE))


def mean_sd(values):
    """"mean ± sd" over the samples; "" with none."""
    if len(values) == 0:
        return ""
    summary = seed_summary(np.asarray(values, dtype=float))
    return format_mean_sd(summary["mean"], summary["sd"])


def benchmark_table(runs, metric):
    """Markdown: one row per benchmark, one column per scorer, mean ± sd over samples
    (with "n=k" where a scorer has fewer samples than the row); bold: the best model
    alone."""
    scorers = [m for m in MODEL_ORDER if m in set(runs.model)]
    rows = []
    for benchmark, group in runs.groupby("benchmark", sort=False):
        best_model = max(ALONE,
                         key=lambda m: group.loc[group.model == m, metric].mean() if (group.model == m).any() else -1)
        cells, n = [], group["sample"].nunique()
        for scorer in scorers:
            own = group[group.model == scorer]
            text = mean_sd(own[metric]) + (f" (n={own['sample'].nunique()})" if 0 < own["sample"].nunique() < n else "")
            cells.append(f"**{text}**" if scorer == best_model and text else text)
        rows.append([benchmark, n, f"{group.prevalence.mean():.3f}", *cells])
    return markdown_table(pd.DataFrame(rows, columns=["benchmark", "samples", "test prevalence", *scorers]))


def verdicts(runs, against=("degree baseline",)):
    """Per benchmark and model alone: does its mean beat each of the ``against``
    baselines' means on both AUROC and AUPRC, over the same split samples?"""
    rows = []
    for benchmark, group in runs.groupby("benchmark", sort=False):
        for model in ALONE:
            ours = group[group.model == model]
            if not len(ours):
                continue
            beats, short = True, []
            for baseline in against:
                other = group[(group.model == baseline) & group["sample"].isin(ours["sample"])]
                for metric in ("auroc", "auprc") if len(other) else ():
                    mine, theirs = ours[metric].mean(), other[metric].mean()
                    if not mine > theirs:
                        beats = False
                        short.append(f"{metric.upper()} {mine:.3f} vs {baseline} {theirs:.3f}")
            rows.append({"benchmark": benchmark, "model": model, "beats": beats,
                         "samples": ours["sample"].nunique(), "short": "; ".join(short)})
    return pd.DataFrame(rows, columns=["benchmark", "model", "beats", "samples", "short"])


def against_the_better(runs, model="late-interaction", others=("two-tower", "cross-encoder")):
    """Per benchmark where all ran: ``model``'s mean AUROC and AUPRC minus the
    better of ``others``' means (each metric on its own), over the split samples
    every one of them has."""
    rows = []
    for benchmark, group in runs.groupby("benchmark", sort=False):
        names = (model, *others)
        shared = set.intersection(*(set(group.loc[group.model == m, "sample"]) for m in names))
        if not shared:
            continue
        means = group[group["sample"].isin(shared)].groupby("model")[["auroc", "auprc"]].mean()
        rows.append({"benchmark": benchmark, "samples": len(shared),
                     **{f"{metric}_gap": means.loc[model, metric] - means.loc[list(others), metric].max()
                        for metric in ("auroc", "auprc")}})
    return pd.DataFrame(rows, columns=["benchmark", "samples", "auroc_gap", "auprc_gap"])


def against_the_better_text(runs, model="late-interaction", others=("two-tower", "cross-encoder")):
    """One Markdown paragraph from :func:`against_the_better` ("" when it has no row)."""
    gaps = against_the_better(runs, model, others)
    if not len(gaps):
        return ""
    both = (gaps.auroc_gap >= 0) & (gaps.auprc_gap >= 0)
    text = (f"The {model} model against the better of the {' and the '.join(others)} (each metric's better mean): "
            f"at least as good on both AUROC and AUPRC on {int(both.sum())} of {len(gaps)} benchmarks, on AUROC on "
            f"{int((gaps.auroc_gap >= 0).sum())}, on AUPRC on {int((gaps.auprc_gap >= 0).sum())}.")
    for metric in ("auroc", "auprc"):
        worst = gaps.loc[gaps[f"{metric}_gap"].idxmin()]
        text += f" Largest {metric.upper()} gap: {worst[f'{metric}_gap']:+.3f} ({worst.benchmark})."
    return text


PROTOCOL_TEXT = {
    "published": (
        "GENELink's split files as published: training and validation negatives are each regulator's own "
        "non-targets at 1:1, test negatives random pairs (Specific: every non-target), so test prevalence is "
        "realistic and the training-free degree baseline (regulator out-degree plus target in-degree over "
        "training edges) is strong.", ("degree baseline",)),
    "degree-controlled": (
        "The same positives, with every part's negatives degree-matched to its positives "
        "(`grnfast.data.degree_controlled_split`, 1:1): the degree baseline sits near 0.5, so only what a model "
        "knows beyond degree counts.", ("degree baseline", "expression baseline")),
    "cold-regulators": (
        "A user's question: which genes does a TF regulate when the prior has no edge for it? A quarter of the "
        "regulators with known edges (seeded by the sample) never appear as regulators in training or validation "
        "(`grnfast.data.cold_regulators_split`); the test is every (held-out TF, gene) pair, labelled by the "
        "benchmark's whole network. The per-TF AUROC (mean over held-out TFs of the AUROC of their own pairs) is "
        "what a top-k-per-TF list uses.", BASELINES),
    "cold-genes": (
        "InfoSEM's split: a quarter of all genes (seeded by the sample) are held out of training and validation in "
        "every role (`grnfast.data.cold_genes_split`), the models' random negatives included (`negative_targets`; "
        "the runs before 2026-12-07 drew held-out genes as random negatives' targets and were made again); the "
        "test is every pair that touches a held-out gene, labelled by the whole network.", BASELINES),
}
COLD = ("cold-regulators", "cold-genes")


def protocol_section(runs, protocol, settings):
    text, against = PROTOCOL_TEXT[protocol]
    wins = verdicts(runs, against)
    earlier = earlier_negatives_text(runs, settings)
    lines = [f"## Protocol: {protocol}", "", text, "", *([earlier, ""] if earlier else []),
             "### AUROC", "", benchmark_table(runs, "auroc"), "",
             "### AUPRC", "", benchmark_table(runs, "auprc"), "",
             *(["### Per-TF AUROC", "", benchmark_table(runs, "auroc_per_regulator"), ""]
               if protocol in COLD and "auroc_per_regulator" in runs else []),
             f"### Each model alone against the {' and the '.join(against)}", "",
             "Benchmarks where the model's mean beats the baselines' means on both AUROC and AUPRC (same split "
             "samples):", ""]
    for model, group in wins.groupby("model", sort=False):
        losing = [f"{row.benchmark} ({row.short})" for row in group[~group.beats].itertuples()]
        lines.append(f"- {model}: {int(group.beats.sum())} of {len(group)}"
                     + (f"; not on {', '.join(losing)}" if losing else ""))
    best = wins.groupby("benchmark", sort=False).beats.any()
    missed = best.index[~best].tolist()
    lines += ["", f"A grnfast model alone beats them on {int(best.sum())} of {len(best)} benchmarks"
              + (f" (not on {', '.join(missed)})" if missed else "") + "."]
    late = against_the_better_text(runs)
    return "\n".join(lines + (["", late] if late else []))


def earlier_negatives_text(runs, settings):
    """A warning when some of a protocol's model runs drew their random negatives'
    regulators otherwise than the page says (made before the TF list), else ""."""
    models = runs[runs.model.isin(ALONE)]
    recorded = models.get("negative_regulators", pd.Series(np.nan, index=models.index))
    other = models[recorded.ne(negative_regulators_label(settings["params"]))]
    if other.empty:
        return ""
    by_model = other.groupby("model", sort=False).size()
    return (f"**{len(other)} of {len(models)} model runs of this protocol ("
            + ", ".join(f"{model}: {n}" for model, n in by_model.items())
            + ") drew their random negatives' regulators from the training edges only, before the TF list (on "
            + ", ".join(pd.unique(other.benchmark)) + f"); `{COMMAND} --data ../shared/data --only benchmarks` "
            "makes them again.**")


def benchmarks_section(runs, settings):
    if "protocol" not in runs:
        runs = runs.assign(protocol="published")
    stale = settings["preset"] not in PRESETS
    lines = ["## BEELINE benchmarks", "",
             *([f"**These runs were made by an earlier version, with its preset `{settings['preset']}`, before the "
                f"current defaults, the graph encoder and random negatives; `{COMMAND}` regenerates them.**",
                ""] if stale else []),
             f"Every model alone with preset `{settings['preset']}` ({settings['params']}; `default` is the "
             f"estimators' defaults) and its random negatives' regulators drawn from the benchmark's TF list "
             f"(`grnfast.models.presets.with_tf_list`), seed {settings['seed']}, beside the baselines, under "
             "each protocol run. Mean ± sd "
             "over the split samples (the `samples` column); **bold**: the best model alone. Test prevalence is the "
             "fraction of positives among the test pairs (a random scorer's AUPRC). `x degree` rows: a model's "
             "probability times the degree baseline's (`grnfast.pipeline.TimesDegree`), a fixed rule kept as a "
             "reference; no claim rests on them. A blank cell: not run. GRNBoost2 (arboreto 0.1.6, expression "
             "only, seed 0, the benchmark's TF list) is a peer run in its own environment by "
             "`python bench/grnboost2.py` (bench/README.md) on the same test pairs; a pair it did not output "
             "scores 0.", ""]
    expected = len(settings["samples"])
    # Samples per (protocol, benchmark, model the page runs), 0 where a model has none.
    counts = runs.groupby(["protocol", "benchmark", "model"])["sample"].nunique()
    keys = [(protocol, benchmark, model) for protocol, benchmark in runs.groupby(["protocol", "benchmark"]).size().index
            for model in MODELS]
    per_model = pd.Series([counts.get(key, 0) for key in keys], index=pd.MultiIndex.from_tuples(keys))
    is_demo = per_model.index.get_level_values(1).str.startswith(DEMO)  # one sample by design
    short = per_model[(per_model < expected) & ~is_demo]
    if len(short):
        counts = short.groupby(level=2).size()
        lines += [f"**Incomplete: {len(short)} of {len(per_model)} (protocol, benchmark, model) runs have fewer than "
                  f"the {expected} split samples asked for ("
                  + ", ".join(f"{model}: {count}" for model, count in counts.items())
                  + "; the `samples` column says how many a row has, `n=k` how many a cell has); "
                  f"`{COMMAND} --data ../shared/data --only benchmarks` resumes.**", ""]
    for protocol in [p for p in PROTOCOLS if p in set(runs.protocol)]:
        lines += [protocol_section(runs[runs.protocol == protocol], protocol, settings), ""]
    lines += ["### Published numbers", ""]
    published = runs[runs.protocol == "published"]
    for (network, cell, n), text in PUBLISHED.items():
        group = published[published.benchmark == f"{network} {cell} {n}"]
        ours = ", ".join(f"{m} {group.loc[group.model == m, 'auroc'].mean():.3f} / "
                         f"{group.loc[group.model == m, 'auprc'].mean():.3f}"
                         for m in ALONE if (group.model == m).any())
        lines.append(f"- {network} {cell} TFs+{n}: {text}; grnfast AUROC / AUPRC {ours or 'not run yet'}.")
    return "\n".join(lines)


def selection_section(runs):
    """Markdown: each candidate's mean validation AUROC and AUPRC per model, over the
    benchmarks on which every candidate has run."""
    combos = runs.groupby("benchmark").apply(lambda g: len(set(zip(g.candidate, g.model))), include_groups=False)
    runs = runs[runs.benchmark.isin(combos.index[combos == combos.max()])]
    lines = ["## How the defaults were chosen", "",
             "Each candidate configuration trained on sample 1 of the benchmarks below and scored on that sample's "
             "validation pairs plus 10 random pairs per validation edge, drawn as a model is used "
             "(`selection_pairs` in tools/selection_runs.py; never test pairs). Mean over the benchmarks "
             f"({', '.join(pd.unique(runs.benchmark))}); the degree baseline on the same pairs for reference. "
             f"Regenerate with `{COMMAND} --only selection`. These candidates draw random pairs' regulators "
             "among the training edges' only; the TF list that the benchmark runs draw them from was chosen after, "
             "on the same benchmarks' validation pairs with TF-list random pairs "
             "(`python bench/negative_regulators_selection.py`, docs/evaluation.md).", ""]
    rows = [[candidate, model, f"{group.auroc.mean():.3f}", f"{group.auprc.mean():.3f}", f"{group.seconds.mean():.0f}"]
            for (candidate, model), group in runs.groupby(["candidate", "model"], sort=False)]
    columns = ["candidate", "model", "validation AUROC", "validation AUPRC", "training seconds"]
    return "\n".join(lines + [markdown_table(pd.DataFrame(rows, columns=columns))])


def protocol_selection_section(runs):
    """Markdown: each candidate default of each model against the best baseline on
    every protocol's validation pairs (tools/protocol_selection.py)."""
    verdicts = protocol_verdicts(runs)
    candidates = list(pd.unique(verdicts.candidate))
    lines = ["## Candidate defaults on every protocol (validation pairs)", "",
             "Each candidate configuration of each model trained on split samples of the benchmarks below under each "
             "protocol, early-stopped on and scored on that protocol's validation pairs (under the cold protocols "
             "these hold out their own regulators or genes, so they ask the test's question; no test pair is "
             "read), beside the four baselines on the same pairs. A cell is AUROC / AUPRC, in bold where it beats "
             "every baseline on both; where a candidate ran on several split samples (their number in brackets), "
             "the means over them against the baselines' means on the same samples. Regenerate with "
             "`python tools/protocol_selection.py --data ../shared/data [--sample N] [--candidates ...] [--models ...]`; the runs are in "
             "`results/protocol_selection.csv`. On one sample, differences of a few hundredths are within what "
             "another sample moves.", ""]
    counts = verdicts.groupby(["candidate", "model", "protocol"], sort=False).beats.agg(["sum", "size"])
    rows = []
    for (candidate, model), group in counts.groupby(level=[0, 1], sort=False):
        per = {protocol: f"{int(r['sum'])} of {int(r['size'])}" for (_, _, protocol), r in group.iterrows()}
        rows.append([candidate, model, *(per.get(p, "") for p in PROTOCOLS),
                     f"{int(group['sum'].sum())} of {int(group['size'].sum())}"])
    lines += ["Benchmarks where the model beats every baseline on both metrics:", "",
              markdown_table(pd.DataFrame(rows, columns=["candidate", "model", *PROTOCOLS, "all"])), ""]
    table = []
    for (protocol, benchmark, model), group in verdicts.groupby(["protocol", "benchmark", "model"], sort=False):
        cells = {}
        for r in group.itertuples():
            cell = f"{r.auroc:.3f} / {r.auprc:.3f}"
            cells[r.candidate] = (f"**{cell}**" if r.beats else cell) + (f" ({r.samples})" if r.samples > 1 else "")
        first = group.iloc[0]
        table.append([protocol, benchmark, f"{first.prevalence:.3f}", model,
                      f"{first.auroc_best_baseline:.3f} / {first.auprc_best_baseline:.3f}",
                      *(cells.get(c, "") for c in candidates)])
    columns = ["protocol", "benchmark", "validation prevalence", "model", "best baseline", *candidates]
    return "\n".join(lines + [markdown_table(pd.DataFrame(table, columns=columns))])


def n_vectors_section(runs, selection):
    """Markdown: the late-interaction model's ``n_vectors`` candidates
    (``bench/late_interaction_selection.py``) beside the other models' defaults and
    the degree baseline on the same validation pairs (``selection``: the rows of
    :func:`selection_runs.run_selection`)."""
    defaults = selection[selection.candidate.str.startswith("default") | (selection.model == "degree baseline")]
    table = pd.concat([defaults[defaults.benchmark.isin(runs.benchmark)], runs[runs.model != "degree baseline"]])
    benchmarks = list(pd.unique(runs.benchmark))
    lines = ["## Late interaction: how n_vectors was chosen", "",
             "`LateInteractionClassifier` with each `n_vectors` and similarity (the dot product unless the row says "
             "cosine; other parameters at their defaults) on sample 1, scored on the same validation pairs plus "
             "random pairs as above (never test pairs), beside the other models' defaults. The model divides MaxSim "
             "(ColBERT's sum of best matches) by `n_vectors`; the 'plain sum' rows undo that through the "
             "temperature. Regenerate with `python bench/late_interaction_selection.py`.", ""]
    rows = []
    for (candidate, model), group in table.groupby(["candidate", "model"], sort=False):
        by = group.set_index("benchmark")
        if not set(benchmarks) <= set(by.index):
            continue
        name = model if model == "degree baseline" or candidate.startswith("default") else f"{model}, {candidate}"
        cells = [f"{by.auroc[b]:.3f} / {by.auprc[b]:.3f}" for b in benchmarks]
        mean = by.loc[benchmarks]
        rows.append([name, *cells, f"{mean.auroc.mean():.3f} / {mean.auprc.mean():.3f}"])
    columns = ["model", *(f"{b} AUROC / AUPRC" for b in benchmarks), "mean AUROC / AUPRC"]
    return "\n".join(lines + [markdown_table(pd.DataFrame(rows, columns=columns))])


def studies_section(folder, page_dir):
    """Each study's Markdown (with its figures) from what
    :func:`study_runs.run_studies` saved in ``folder``."""
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
        for name, info in sorted(studies.items(), key=lambda item: list(STUDIES).index(item[0])):  # STUDIES' order
            markdown = next(f for f in info["files"] if f.endswith(".md"))
            body = (folder / key / markdown).read_text().split("\n", 2)[2]  # drop the file's own title
            lines += [f"### {name}: {info['dataset']} ({info['seconds'] / 60:.1f} min)", "", body.strip(), ""]
            for figure in (f for f in info["files"] if f.endswith(".png")):
                lines += [f"![{name}]({(folder / key / figure).relative_to(page_dir).as_posix()})", ""]
    return "\n".join(lines)


def page_markdown(folder, page_dir):
    """The whole page from the runs in ``folder`` (the page's ``results/``); figure
    links are relative to ``page_dir``."""
    folder = Path(folder)
    runs_path, settings_path = folder / "benchmark_runs.csv", folder / "benchmark_settings.json"
    selection_path, late_path = folder / "selection_runs.csv", folder / "late_interaction_selection_runs.csv"
    protocol_selection_path = folder / "protocol_selection.csv"
    sections = ["# Results", ""]
    if runs_path.exists():
        runs = pd.read_csv(runs_path)
        trained = runs[~runs.model.str.endswith(" x degree")]  # those rows repeat their model's seconds
        settings = json.loads(settings_path.read_text())
        if PEER_RUNS.exists():  # the peers' rows beside ours, on the benchmarks and protocols the page has
            keys = ["protocol", "benchmark", "sample"]
            peers = pd.read_csv(PEER_RUNS).merge(runs[keys].drop_duplicates(), on=keys)  # the page's samples only
            runs = pd.concat([runs, peers[[c for c in peers.columns if c in runs.columns]]], ignore_index=True)
        sections += [f"Generated by `{COMMAND} --data ../shared/data`; every benchmark run (protocol, "
                     "benchmark, split sample, scorer, metrics, training seconds) is in "
                     f"`{folder.name}/{runs_path.name}`; training took {trained.seconds.sum() / 60:.0f} min of wall "
                     "time in all on a 2-core machine shared with other work.", "",
                     benchmarks_section(runs, settings), ""]
    if selection_path.exists():
        sections += [selection_section(pd.read_csv(selection_path)), ""]
        if late_path.exists():
            sections += [n_vectors_section(pd.read_csv(late_path), pd.read_csv(selection_path)), ""]
    if protocol_selection_path.exists():
        sections += [protocol_selection_section(pd.read_csv(protocol_selection_path)), ""]
    sections.append(studies_section(folder / "studies", page_dir))
    return "\n".join(sections) + "\n"
