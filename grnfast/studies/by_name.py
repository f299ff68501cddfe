"""A study by its name, as ``grnfast study NAME`` runs it: on a BEELINE benchmark or
the synthetic data set, in a preset or the tiny configuration, saved to a folder."""
import time
from dataclasses import dataclass

from ..data import GRNDataset, fetch_beeline, load_beeline
from ..models.presets import TINY_PARAMS, preset_params
from ..pipeline import writable_folder
from . import STUDIES

# Each study's options in the tiny configuration (seconds, for smoke tests).
TINY_OPTIONS = {"model-comparison": {"seeds": 2}, "ablation": {"seeds": 1},
                "pruning": {"seeds": 1, "fractions": (0.5,), "fine_tune_epochs": 1},
                "effective-rank": {"seeds": 1}, "tuning": {"n_iter": 2, "cv": 2},
                "imbalance": {"seeds": 1, "ratios": (1, 5)}, "cold-start": {"seeds": 1, "hold_outs": ("regulators",)}}


@dataclass
class StudyRun:
    """A study's result (:class:`~grnfast.studies.StudyResult`), the files it saved
    and its wall time."""
    name: str
    result: object
    paths: list
    seconds: float

    def report(self):
        return (f"{self.result.markdown}\n\n{self.name} on {self.result.task}: {self.seconds:.1f}s; "
                f"wrote {', '.join(str(p) for p in self.paths)}")


def study_dataset(benchmark=None, data=None, random_state=0, progress=False):
    """A BEELINE benchmark ``(network, cell, n_genes)`` from ``data`` (downloaded when
    None), or the synthetic data set."""
    if benchmark is None:
        return GRNDataset.synthetic(random_state=random_state)
    network, cell, n_genes = benchmark
    return load_beeline(fetch_beeline(data, download=data is None, progress=progress), network, cell, n_genes)


def run_study(name, dataset=None, *, benchmark=None, data=None, tiny=False, preset="default", params=None, seeds=None,
              output="grnfast-out", random_state=0, progress=True):
    """Study ``name`` (a key of :data:`STUDIES`) on ``dataset`` (by default
    :func:`study_dataset` of ``benchmark`` and ``data``), saved to ``output``.

    ``tiny`` runs the seconds-long configuration (:data:`TINY_PARAMS`, with only
    ``params["n_jobs"]`` kept, and :data:`TINY_OPTIONS`); ``seeds`` overrides the
    study's number of seeds (tuning has none)."""
    writable_folder(output)  # before any data is read
    if dataset is None:
        dataset = study_dataset(benchmark, data, random_state, progress)
    params = dict(params or {})
    n_jobs = params.pop("n_jobs", None)
    params = dict(TINY_PARAMS) if tiny else preset_params(preset, params)
    params["n_jobs"] = n_jobs
    options = {"params": params, "progress": progress, "random_state": random_state}
    if seeds and name != "tuning":
        options["seeds"] = seeds
    if tiny:
        options.update(TINY_OPTIONS[name])
    start = time.perf_counter()
    result = STUDIES[name](dataset, **options)
    paths = result.save(output)
    return StudyRun(name, result, paths, time.perf_counter() - start)
