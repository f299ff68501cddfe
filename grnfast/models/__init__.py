"""The pair classifiers over the C++ engine, the seed ensemble, and the registry
of models by name."""
from .cross_encoder import CrossEncoderClassifier
from .ensemble import SeedEnsembleClassifier
from .late_interaction import LateInteractionClassifier
from .presets import PRESETS, PUBLISHED_PARAMS
from .registry import MODEL_NAMES, MODELS, make_model, model_class
from .two_tower import TwoTowerClassifier

__all__ = ["CrossEncoderClassifier", "LateInteractionClassifier", "MODEL_NAMES", "MODELS", "PRESETS", "PUBLISHED_PARAMS", "SeedEnsembleClassifier",
           "TwoTowerClassifier", "make_model", "model_class"]
