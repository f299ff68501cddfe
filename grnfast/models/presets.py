"""Every named model configuration, in one place.

- ``default``: the estimators' own defaults, chosen on validation pairs of the
  BEELINE benchmarks (docs/results.md, "How the defaults were chosen");
- ``published``: the configuration of the studies grnfast reproduces
  (:data:`PUBLISHED_PARAMS`);
- :data:`SHIPPED_DATA_PARAMS`: what ``grnfast infer`` adds on the data set shipped
  in the package;
- :data:`TINY_PARAMS`: a seconds-long configuration for smoke tests
  (``grnfast study --tiny``);
- :func:`with_tf_list`: the rule the commands apply on top of any of them.
"""
from ..errors import GRNInputError

# ``CrossEncoderClassifier(node_features=f, **PUBLISHED_PARAMS)``: the published
# configuration, one argument away from the defaults.
PUBLISHED_PARAMS = {"embedding_dim": 512, "alpha": 0.01, "learning_rate_init": 5e-3, "max_iter": 100,
                    "n_iter_no_change": 10, "graph_dim": 0, "random_negative_ratio": 0.0, "embedding_dropout": 0.0}

PRESETS = {"default": {}, "published": PUBLISHED_PARAMS}

# The shipped mESC network is 30% dense (29,613 edges among 88 x 1,120 pairs): a
# random pair is an edge 3 times in 10, so random negatives would teach the models
# that edges are non-edges, and they triple an epoch's time. 20 epochs at most keep
# the run under a minute on two cores; early stopping on validation pairs ends it sooner.
SHIPPED_DATA_PARAMS = {"random_negative_ratio": 0.0, "max_iter": 20}

TINY_PARAMS = {"embedding_dim": 16, "hidden_layer_sizes": (32, 16), "max_iter": 5}


def preset_params(preset="default", params=None):
    """A preset's parameters (a key of :data:`PRESETS`) overridden by ``params``."""
    if preset not in PRESETS:
        raise GRNInputError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    return {**PRESETS[preset], **(params or {})}


def with_tf_list(params, regulators):
    """``params`` whose random negatives draw their regulators from the data set's
    TF list (``negative_regulators=regulators``) unless they choose: genome-wide
    scoring, and the random test pairs of a split, meet every TF, a third of them
    on Non-Specific splits without a training edge (docs/evaluation.md). Chosen on
    validation pairs (bench/negative_regulators_selection.py)."""
    return {"negative_regulators": list(regulators), **(params or {})}
