"""The published studies behind grnfast's design, each one function over a
:class:`PairTask` returning a :class:`StudyResult` (table, summary, figures)."""
from . import ablation, effective_rank, model_comparison, pruning, tuning
from .output import StudyResult
from .task import PairTask

STUDIES = {
    "model-comparison": model_comparison.run,
    "ablation": ablation.run,
    "pruning": pruning.run,
    "effective-rank": effective_rank.run,
    "tuning": tuning.run,
}

__all__ = ["PairTask", "StudyResult", "STUDIES"]
