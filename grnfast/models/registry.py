"""The models by the names the command line, the pipeline and the studies use."""
from ..errors import GRNInputError
from .cross_encoder import CrossEncoderClassifier
from .ensemble import SeedEnsembleClassifier
from .late_interaction import LateInteractionClassifier
from .two_tower import TwoTowerClassifier

# The published configuration (the studies grnfast reproduces), one argument away
# from the defaults: ``CrossEncoderClassifier(node_features=f, **PUBLISHED_PARAMS)``.
# The defaults themselves were chosen on validation pairs of the BEELINE benchmarks
# (docs/results.md, "How the defaults were chosen").
PUBLISHED_PARAMS = {"embedding_dim": 512, "alpha": 0.01, "learning_rate_init": 5e-3, "max_iter": 100,
                    "n_iter_no_change": 10, "graph_dim": 0, "random_negative_ratio": 0.0}

MODELS = {"two-tower": TwoTowerClassifier, "cross-encoder": CrossEncoderClassifier,
          "late-interaction": LateInteractionClassifier}
# "ensemble": the published setting, this many cross-encoder seeds with probabilities averaged.
ENSEMBLE_SIZE = 5
MODEL_NAMES = (*MODELS, "ensemble")


def model_class(name):
    """The estimator class of a single model's name ("two-tower", "cross-encoder" or
    "late-interaction")."""
    if name not in MODELS:
        raise GRNInputError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")
    return MODELS[name]


def make_model(name, node_features=None, *, random_state=None, **params):
    """An unfitted model by name; ``ensemble`` is :data:`ENSEMBLE_SIZE` seeds of the
    cross-encoder, the members' seeds drawn from ``random_state``."""
    if name == "ensemble":
        member = CrossEncoderClassifier(node_features=node_features, **params)
        return SeedEnsembleClassifier(member, n_estimators=ENSEMBLE_SIZE, random_state=random_state)
    if name not in MODELS:
        raise GRNInputError(f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}")
    return MODELS[name](node_features=node_features, random_state=random_state, **params)
