"""The published studies behind grnfast's design. Each is one function with one
signature, ``run(dataset, *, params=None, progress=True, random_state=0, ...)``,
taking a :class:`grnfast.data.GRNDataset` (studies evaluated on one split use the
data set's random split) and returning a :class:`StudyResult` (table, summary,
figures)."""
from . import ablation, cold_start, effective_rank, imbalance, model_comparison, pruning, tuning
from .output import StudyResult

STUDIES = {
    "model-comparison": model_comparison.run,
    "ablation": ablation.run,
    "pruning": pruning.run,
    "effective-rank": effective_rank.run,
    "tuning": tuning.run,
    "imbalance": imbalance.run,
    "cold-start": cold_start.run,
}

__all__ = ["StudyResult", "STUDIES"]

from .by_name import run_study, study_dataset  # noqa: E402  (by_name reads STUDIES above)

__all__ += ["run_study", "study_dataset"]
