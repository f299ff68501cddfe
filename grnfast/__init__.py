"""grnfast: gene regulatory network inference with a fast C++ engine.

The estimators load the compiled engine on first use, so ``import grnfast.data``
and friends stay cheap and work without touching the extension.
"""
import os
from importlib import import_module

from .errors import GRNInputError

# The engine's OpenMP threads sleep when they run out of work instead of spinning
# (GNU OpenMP spins ~300,000 times first): spinning threads hold the cores that
# other processes, and the engine's own preempted threads, need. But a training
# batch runs dozens of regions microseconds apart, and waking a sleeping thread
# for each cost the cross-encoder's training 2.6x its time on an idle machine, so
# GNU OpenMP's threads spin 1,000 times (about 10 microseconds) before they sleep
# (docs/performance.md, "Beside other work"). The OpenMP runtime reads these once,
# when the engine loads; a wait policy or spin count the user set is kept.
if "OMP_WAIT_POLICY" not in os.environ:
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    os.environ.setdefault("GOMP_SPINCOUNT", "1000")

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
