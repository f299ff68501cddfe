"""The published studies of the results page, each on two data sets: the embedded
synthetic one and TRRUST joined with the hHEP expression. Each study's files go
to ``<folder>/<data set>/``; ``timings.json`` records what ran and how long, so an
interrupted run resumes."""
import json
import time
from pathlib import Path

from grnfast.data import GRNDataset, read_expression, read_prior
from grnfast.data.beeline import beeline_folder
from grnfast.models import PRESETS
from grnfast.studies import STUDIES


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
