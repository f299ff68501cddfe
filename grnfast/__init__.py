"""grnfast: gene regulatory network inference with a fast C++ engine.

The estimators load the compiled engine on first use, so ``import grnfast.data``
and friends stay cheap and work without touching the extension.
"""
import os
from importlib import import_module

from .errors import GRNInputError

# The engine's OpenMP threads sleep when they run out of work instead of spinning
# (GNU OpenMP spins ~300,000 times first): spinning threads hold the cores that
# other processes, and the engine's own preempted threads, need. The OpenMP runtime
# reads this once, when the engine loads; a value the user set is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"

_LAZY = {
    "TwoTowerClassifier": "grnfast.models.two_tower",
    "CrossEncoderClassifier": "grnfast.models.cross_encoder",
    "LateInteractionClassifier": "grnfast.models.late_interaction",
    "SeedEnsembleClassifier": "grnfast.models.ensemble",
}

__all__ = ["TwoTowerClassifier", "CrossEncoderClassifier", "LateInteractionClassifier", "SeedEnsembleClassifier", "GRNInputError", "__version__"]


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'grnfast' has no attribute {name!r}")
