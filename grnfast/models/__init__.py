"""The two pair classifiers over the C++ engine."""
from .cross_encoder import CrossEncoderClassifier
from .two_tower import TwoTowerClassifier

__all__ = ["CrossEncoderClassifier", "TwoTowerClassifier"]
