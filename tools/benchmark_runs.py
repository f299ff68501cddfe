"""The BEELINE benchmark runs of the results page: every model and the baselines on
every benchmark with published split files, under every protocol, sample by sample,
kept in one CSV (``benchmark_runs.csv``: one row per protocol, benchmark, split
sample and scorer) so that an interrupted run resumes."""
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from grnfast.data import available_benchmarks
from grnfast.data.beeline import DEMO
from grnfast.models import MODELS
from grnfast.pipeline import PROTOCOLS, evaluate_benchmark

BASELINES = ("degree baseline", "expression baseline", "correlation baseline", "gene-identity baseline")


def negative_regulators_label(params):
    """Where a benchmark run's random negatives drew their regulators from, as its
    model rows record it (column ``negative_regulators``): the data set's TF list
    (:func:`grnfast.models.presets.with_tf_list`) unless ``params`` chose. Rows without
    it were made before, from the training edges' regulators only."""
    value = (params or {}).get("negative_regulators", "TF list")
    if value is None:
        return "training edges"
    return value if isinstance(value, str) else "given genes"


def benchmark_settings(path, preset, params, seed, samples, ensemble_samples, resume=True):
    """The benchmark runs' settings to record at ``path``, and whether the runs on
    disk were made with the same ones (so that they belong to the same page).

    Preset, parameters and seed make runs comparable (``n_jobs`` changes no result:
    bit-identical for any thread count, so a run may resume with another). The split
    samples and the models only choose which runs to make: runs of other samples stay,
    and the samples the page asks for are those asked now and before."""
    settings = {"preset": preset, "params": {k: v for k, v in (params or {}).items() if k != "n_jobs"},
                "seed": seed}
    old = json.loads(Path(path).read_text()) if Path(path).exists() else {}
    same = resume and all(old.get(key) == value for key, value in settings.items())
    for key, asked in (("samples", samples), ("ensemble_samples", ensemble_samples)):
        settings[key] = sorted(set(old.get(key, ()) if same else ()) | set(asked))
    return settings, same


def run_benchmarks(runs_path, root, samples, ensemble_samples, params, preset, seed, progress, resume=True,
                   protocols=PROTOCOLS, models=tuple(MODELS)):
    """Every benchmark (plus GENELink's demo split) under every protocol, sample by
    sample, appending to ``runs_path`` after each: every single model (the seed
    ensemble on ``ensemble_samples`` only) beside the baselines. With ``resume``, a model already
    there for a (protocol, benchmark, sample) is not trained again, so a model added
    later runs alone beside the rows on disk (its sample's baselines, being
    deterministic, are not written twice); a model row whose random negatives drew
    their regulators otherwise (:func:`negative_regulators_label`) is made again and
    replaced. Samples run in the outer loop, so an interrupted run has every
    benchmark's first samples."""
    runs_path = Path(runs_path)
    key = ["protocol", "benchmark", "sample", "model"]
    runs = pd.read_csv(runs_path) if resume and runs_path.exists() else pd.DataFrame(columns=key)
    label = negative_regulators_label(params)
    if "negative_regulators" not in runs:
        runs["negative_regulators"] = np.nan
    # A model row whose random negatives were drawn otherwise is shown until its run is made again.
    current = runs.model.isin(BASELINES) | runs.negative_regulators.eq(label)
    finished = set(zip(*(runs.loc[current, k] for k in key)))

    def save(table):
        nonlocal runs
        table = table[[row not in finished for row in zip(*(table[k] for k in key))]]
        table = table.assign(negative_regulators=pd.Series(label, index=table.index).mask(table.model.isin(BASELINES)))
        finished.update(zip(*(table[k] for k in key)))
        replaced = runs.set_index(key).index.isin(table.set_index(key).index)
        runs = pd.concat([runs[~replaced], table], ignore_index=True)
        runs.to_csv(runs_path, index=False)

    benchmarks = available_benchmarks(root)
    if (Path(root) / "beeline-splits" / DEMO).is_dir():
        benchmarks.append((DEMO, "mESC", 500))
    for sample in samples:
        for protocol in protocols:
            for network, cell, n in benchmarks:
                name = f"{network} {cell} {n}"
                if network == DEMO and (sample != 1 or protocol != "published"):  # its one split is sample 1
                    continue
                missing = [m for m in models if (protocol, name, sample, m) not in finished]
                ensemble = sample in ensemble_samples and (protocol, name, sample, "ensemble") not in finished
                if not missing and not ensemble:
                    continue
                start = time.perf_counter()
                evaluate_benchmark(root, network, cell, n, [sample], models=missing,
                                   ensemble_samples=[sample] if ensemble else (), params=params, preset=preset,
                                   seed=seed, progress=progress, on_sample=save, protocol=protocol)
                if progress:
                    print(f"{protocol} {name} sample {sample} ({', '.join(missing + ['ensemble'] * ensemble)}): "
                          f"{time.perf_counter() - start:.0f}s", flush=True)
    return runs
