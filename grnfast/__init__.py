"""grnfast: gene regulatory network inference with a fast C++ engine.

The estimators load the compiled engine on first use, so ``import grnfast.data``
and friends stay cheap and work without touching the extension.
"""
from importlib import import_module

from .errors import GRNInputError

__version__ = "0.1.0"

_LAZY = {
    "TwoTowerClassifier": "grnfast.models.two_tower",
    "CrossEncoderClassifier": "grnfast.models.cross_encoder",
    "SeedEnsembleClassifier": "grnfast.models.ensemble",
}

__all__ = ["TwoTowerClassifier", "CrossEncoderClassifier", "SeedEnsembleClassifier", "GRNInputError", "__version__"]


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'grnfast' has no attribute {name!r}")
