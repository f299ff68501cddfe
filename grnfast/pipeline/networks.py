"""The network a run writes for one model: its ranked edges with a calibrated
probability as the weight (:mod:`.calibration`), a cut-off on it beside the
top-k per regulator, and a sign per edge (:mod:`grnfast.data.signs`)."""
import math
from numbers import Real

import pandas as pd

from ..data.signs import signed_edges
from ..errors import GRNInputError
from ..scoring import rank_edges


def check_min_probability(min_probability):
    """``min_probability`` as a float in [0, 1] (None: no cut-off), else a GRNInputError."""
    if min_probability is None:
        return None
    if isinstance(min_probability, bool) or not isinstance(min_probability, Real) \
            or not (math.isfinite(min_probability) and 0 <= min_probability <= 1):
        raise GRNInputError(f"min_probability must be a number from 0 to 1 (a calibrated edge probability); "
                            f"got {min_probability!r}")
    return float(min_probability)


def correlation_profiles(dataset):
    """What the pipeline's correlations (edge signs, the co-expressed TFs'
    targets) are computed on, and its name: the cells when the data set keeps them
    (a CSV expression, BEELINE), else the node features (an ``.h5ad`` is read in
    blocks into cell-type or cluster means and its cells are not kept; correlation
    over those means is what the models read)."""
    if dataset.expression is not None:
        return dataset.expression, f"cells ({dataset.expression.shape[1]})"
    return dataset.node_features, f"node features ({dataset.node_features.shape[1]} columns)"


def network_edges(model, calibration, dataset, *, top_k=None, min_probability=None, signed=True, progress=None,
                  client=None, without_edges=None, targets_without_edges=None):
    """A fitted model's ranked edges from every regulator of ``dataset``: the top
    ``top_k`` targets of each (None: every gene), ``EdgeWeight`` the probability
    ``calibration`` (an :class:`~.calibration.EdgeCalibration`) gives, edges under
    ``min_probability`` dropped, and with ``signed`` the columns ``sign``,
    ``sign_source`` and ``correlation`` (:func:`~grnfast.data.signs.signed_edges`,
    the prior's sign from ``dataset.edges``, correlations over :func:`correlation_profiles`).
    Ranked by the model's log-odds, highest first, as :func:`~grnfast.scoring.rank_edges`.

    ``without_edges``: a scorer for the regulators without a known edge (a
    :class:`~.cold_blend.BlendedModel`), whose own probability is their weight;
    the list is then ranked by weight, highest first. ``targets_without_edges``:
    likewise a scorer of the regulators with known edges whose pairs into genes
    without known regulators are blended and the others calibrated (a
    :class:`~.cold_blend.TargetBlendedModel`); its probabilities are the weights."""
    min_probability = check_min_probability(min_probability)
    regulators = dataset.regulators if without_edges is None else dataset.known_regulators
    if targets_without_edges is None:
        edges = rank_edges(model, regulators, top_k=top_k, weight="logit", progress=progress, client=client)
        edges["EdgeWeight"] = calibration.probability(edges["EdgeWeight"].to_numpy())
    else:
        edges = rank_edges(targets_without_edges, regulators, top_k=top_k, progress=progress, client=client)
    lacking = dataset.regulators[~dataset.regulators.isin(regulators)]
    if len(lacking):  # only with without_edges
        bar = None if progress is None else f"{progress} (TFs without edges)"
        blended = rank_edges(without_edges, lacking, top_k=top_k, progress=bar, client=client)
        edges = pd.concat([edges, blended], ignore_index=True)
        edges = edges.sort_values("EdgeWeight", ascending=False, kind="stable", ignore_index=True)
    if min_probability is not None:
        edges = edges[edges["EdgeWeight"] >= min_probability].reset_index(drop=True)
    if signed:
        edges = signed_edges(edges, dataset.edges, correlation_profiles(dataset)[0])
    return edges
