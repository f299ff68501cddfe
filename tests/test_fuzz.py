"""Fuzzing the estimators' inputs and parameters: every combination either trains
and predicts finite scores that differ between pairs (or warns that they do not),
or raises a ValueError/TypeError/IndexError/FloatingPointError whose message names
one of the inputs that was bad. Never a crash, a message from deep inside a
dependency, or a silent wrong answer."""
import re
import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grnfast import CrossEncoderClassifier, TwoTowerClassifier

N_GENES = 12
NAMES = [f"g{i}" for i in range(N_GENES)]
FEATURES = pd.DataFrame(np.random.default_rng(0).normal(size=(N_GENES, 3)), index=NAMES)
PAIRS = np.random.default_rng(1).integers(0, N_GENES, (40, 2))
LABELS = np.tile([0, 1], 20)
TINY = dict(embedding_dim=4, hidden_layer_sizes=(4,), max_iter=2, random_state=0, n_jobs=1)

# Each input or parameter: (good values, bad values). A drawn bad value must be named by any error.
PARAMETERS = {
    "alpha": ([0.0, 1e-3], [np.nan, np.inf, -1.0, "big"]),
    "learning_rate_init": ([1e-3, 1e-2], [0.0, -1e-3, np.nan, np.inf]),
    "batch_size": ([2, 16, 256, 10**9], [0, 1, -5, 2.5]),
    "dropout": ([0.0, 0.3], [1.0, -0.1, np.nan]),
    "tol": ([0.0, 1e-4], [np.nan, -np.inf, -1.0]),
    "embedding_dim": ([1, 4], [0, -2, 10**7, 3.5]),
    "hidden_layer_sizes": ([(4,), (3, 2)], [(0,), (4, -1), "abc", (10**8,)]),
    "n_jobs": ([1, 2, None, -1], [0, 1.5]),
    "validation_fraction": ([0.25], [0.0, 1.0, np.nan]),
    "clip_norm": ([None, 1.0], [0.0, np.inf, -1.0]),
    "max_iter": ([1, 2], [0, -1]),
    "temperature": ([0.05, 1.0], [0.0, np.inf, np.nan, -1.0]),
}
INPUTS = {
    "X": ([PAIRS, pd.DataFrame(np.asarray(NAMES)[PAIRS]), pd.DataFrame(PAIRS)],
          [PAIRS + 0.5, np.where(PAIRS == 0, -1, PAIRS), PAIRS + N_GENES, PAIRS[:, :1], np.full((40, 2), np.nan),
           pd.DataFrame([["g0", "nope"]] * 40), PAIRS[:0]]),
    "y": ([LABELS, np.where(LABELS == 1, "edge", "none")],
          [np.ones(40), LABELS[:30], np.linspace(0, 1, 40), np.where(LABELS == 1, np.nan, 0.0), np.arange(40) % 3]),
    "node_features": ([FEATURES, FEATURES.to_numpy()],
                      [FEATURES.assign(bad=np.nan), FEATURES.to_numpy()[:, 0], FEATURES.assign(kind="x"),
                       FEATURES.iloc[:5]]),
}


@st.composite
def cases(draw):
    model = draw(st.sampled_from([TwoTowerClassifier, CrossEncoderClassifier]))
    names = [n for n in PARAMETERS if n != "temperature" or model is TwoTowerClassifier]
    chosen = draw(st.lists(st.sampled_from(names), min_size=0, max_size=3, unique=True))
    params, bad = {}, set()
    for name in chosen:
        good, wrong = PARAMETERS[name]
        if draw(st.integers(0, 2)) == 0:
            params[name] = draw(st.sampled_from(wrong))
            bad.add(name)
        else:
            params[name] = draw(st.sampled_from(good))
    inputs = {}
    for name, (good, wrong) in INPUTS.items():
        if draw(st.integers(0, 4)) == 0:
            inputs[name] = draw(st.sampled_from(wrong))
            bad.add(name)
        else:
            inputs[name] = draw(st.sampled_from(good))
    X_is_frame, table_has_names = isinstance(inputs["X"], pd.DataFrame), isinstance(inputs["node_features"],
                                                                                    pd.DataFrame)
    if X_is_frame and inputs["X"].dtypes.iloc[0] == object and not table_has_names:
        bad.update({"X", "node_features"})  # names in X need a gene table with names
    if X_is_frame and inputs["X"].dtypes.iloc[0] != object and table_has_names:
        bad.add("X")  # integers in a DataFrame are ambiguous where the gene table has names
    return model, params, inputs, bad


# How a message may name an input besides by its own name.
ALIASES = {"node_features": ("gene table",)}


def names_a_bad_input(message, bad):
    names = [alias for name in bad for alias in (name, *ALIASES.get(name, ()))]
    return any(re.search(rf"(?<![A-Za-z_']){re.escape(name)}(?![A-Za-z_])", message) or f"'{name}'" in message
               for name in names)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_fuzz_estimators(case):
    model, params, inputs, bad = case
    estimator = model(node_features=inputs["node_features"], **{**TINY, **params})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            estimator.fit(inputs["X"], inputs["y"])
            scores = estimator.decision_function(inputs["X"])
        except (ValueError, TypeError, IndexError, FloatingPointError) as exc:
            assert bad, f"valid inputs raised {type(exc).__name__}: {exc}"
            assert names_a_bad_input(str(exc), bad), f"{type(exc).__name__} names none of {sorted(bad)}: {exc}"
            return
    assert np.isfinite(scores).all() or caught, "non-finite scores without an error or a warning"
    assert np.ptp(scores) > 0 or caught, "every pair scored alike without a warning"
    assert not bad, f"bad inputs {sorted(bad)} were accepted"
