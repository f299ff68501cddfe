"""The published studies behind grnfast's design, each one function returning a
:class:`StudyResult` (table, summary, figures): those in ``STUDIES`` take a
:class:`PairTask`, those in ``DATASET_STUDIES`` a :class:`grnfast.data.GRNDataset`
(they build their own splits)."""
from . import ablation, cold_start, effective_rank, imbalance, model_comparison, pruning, tuning
from .output import StudyResult
from .task import PairTask

STUDIES = {
    "model-comparison": model_comparison.run,
    "ablation": ablation.run,
    "pruning": pruning.run,
    "effective-rank": effective_rank.run,
    "tuning": tuning.run,
}

DATASET_STUDIES = {
    "imbalance": imbalance.run,
    "cold-start": cold_start.run,
}

__all__ = ["PairTask", "StudyResult", "STUDIES", "DATASET_STUDIES"]
