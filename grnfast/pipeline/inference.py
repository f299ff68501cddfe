"""``grnfast infer`` as one library call: read the inputs, split the known edges,
train the models, evaluate them beside the baselines, recommend a network on
validation pairs, score every regulator and write the files.

>>> from grnfast.data import InputFiles
>>> from grnfast.pipeline import infer
>>> result = infer(InputFiles("atlas.h5ad", prior="collectri", groupby="cell_type"))  # doctest: +SKIP
>>> print(result.report())                                                               # doctest: +SKIP

The command line parses its options into these arguments and prints
``result.report()``; nothing else happens there.
"""
from dataclasses import dataclass, field
from typing import Optional

import pandas as pd

from ..atomic import written_atomically
from ..data import GRNDataset, InputFiles
from ..errors import GRNInputError
from ..evaluation import baselines
from ..models.presets import SHIPPED_DATA_PARAMS, with_tf_list
from ..progress import say
from ..scoring import DEFAULT_TOP_K, as_format, write_edge_list
from .calibration import fit_calibration
from .cold_blend import prior_regulators, prior_targets
from .networks import check_min_probability, correlation_profiles, network_edges
from .outputs import check_outputs
from .report import format_report, report_table
from .summary import StepTimes, evidence_warning, format_summary, recommendation
from .training import best_epoch, dask_client, model_names, train_models
from .unknown_regulators import UnknownRegulatorCheck, check_unknown_regulators
from .unknown_targets import UnknownTargetCheck, check_unknown_targets


@dataclass
class InferResult:
    """What :func:`infer` made.

    dataset, task : the data set read and its split as a PairTask.
    models : ``{name: fitted estimator}``; ``training_seconds`` their times.
    baselines : ``{name: fitted baseline}`` (degree, expression).
    metrics : the report table, every scorer's test metrics (``metrics.csv``).
    recommended : the model whose network to use (chosen by AUPRC on validation
        pairs), or None when its lead over the degree baseline is within the
        uncertainty; ``recommendation`` says why in one sentence, ``warnings``
        what makes the run's numbers weak (too few known edges; TFs without known
        edges whose targets the recommended model ranks no better than in-degree).
    unknown_regulators : for a run whose candidate regulators include some without
        a known edge (policy "unknown"), how the recommended model, target in-degree
        and their blend rank the targets of TFs held out of a second training
        (:class:`~grnfast.pipeline.unknown_regulators.UnknownRegulatorCheck`); the
        recommended network scores the TFs without edges by that blend
        (:mod:`~grnfast.pipeline.cold_blend`). None when there are none, no model
        is recommended or too few TFs have edges.
    unknown_targets : likewise for the genes without a known regulator, under
        either ``targets_without_edges``: how the recommended model, regulator
        out-degree and their blend rank the regulators of genes held out of a
        further training (:class:`~grnfast.pipeline.unknown_targets.UnknownTargetCheck`);
        the recommended network scores the pairs into those genes by that blend.
        None when every gene has a known regulator, no model is recommended or
        too few genes have one.
    calibrations : ``{name: EdgeCalibration}``, each model's map from its score to
        the written weight, fitted on the validation pairs.
    networks : ``{name: ranked edges}`` in the chosen format's columns.
    files : ``[(path, what it holds)]`` of every file written.
    """
    dataset: GRNDataset
    task: object
    models: dict
    training_seconds: dict
    baselines: dict
    metrics: pd.DataFrame
    recommended: Optional[str]
    recommendation: str
    calibrations: dict = field(default_factory=dict)
    networks: dict = field(default_factory=dict)
    files: list = field(default_factory=list)
    closing_line: str = ""
    warnings: list = field(default_factory=list)
    unknown_regulators: Optional[UnknownRegulatorCheck] = None
    unknown_targets: Optional[UnknownTargetCheck] = None

    def report(self):
        """The metrics table and the closing summary ``grnfast infer`` prints."""
        notes = [check.sentence() for check in (self.unknown_regulators, self.unknown_targets)
                 if check is not None and check.blend_wins]
        return format_report(self.metrics) + "\n" + format_summary(self.recommendation, self.files,
                                                                   self.closing_line, self.warnings, notes)


# What a candidate regulator without a known edge (a TF of --regulators the prior
# lacks) is in training: "unknown" (never a negative's regulator, scored from what
# the models learnt of the others) or "negative" (drawn among the negatives, so the
# models learn that it has no targets: a complete ChIP-seq panel's reading).
REGULATORS_WITHOUT_EDGES = ("unknown", "negative")
# Likewise for a gene no known edge reaches: "negative" (drawn as a negative's
# target, so the models learn that it is nobody's target) or "unknown" (never
# drawn; scored by a blend checked on genes held out of the prior).
TARGETS_WITHOUT_EDGES = ("negative", "unknown")


def infer(inputs=None, *, models="all", preset="default", params=None, negatives=1.0, negative_sampling="uniform",
          regulators_without_edges="unknown", targets_without_edges="negative", top_k=DEFAULT_TOP_K,
          min_probability=None, signed=True, format="grnfast", suffix=".csv", output="grnfast-out", write_h5ad=None,
          scheduler=None, random_state=0, progress=True):
    """Train, evaluate and write ranked networks, as ``grnfast infer`` does.

    Parameters
    ----------
    inputs : InputFiles, GRNDataset or None
        What to read (:class:`grnfast.data.InputFiles`), or a data set already
        made. None, or InputFiles without ``expression``: the real data set shipped
        in the package, with its settings under ``params``
        (:data:`grnfast.models.presets.SHIPPED_DATA_PARAMS`).
    models : "all", "both" (two-tower and cross-encoder) or a model's name.
    preset, params : the models' configuration (:data:`grnfast.models.PRESETS`)
        and parameters over it; the random negatives draw their regulators as the
        split's negatives do (``regulators_without_edges``) unless ``params`` choose
        (:func:`~grnfast.models.presets.with_tf_list`).
    negatives, negative_sampling : negatives per positive in the 70/15/15 random
        split of the known edges, and how they are drawn.
    regulators_without_edges : "unknown" or "negative". A candidate regulator
        without a known edge (a TF of ``inputs.regulators`` that the prior lacks)
        is scored like every other. "unknown" (default): no negative of the split
        nor random negative of the models has one as regulator, since nothing is
        known of its targets; the run checks how the recommended model ranks
        the targets of TFs held out of the prior against in-degree
        (:mod:`~grnfast.pipeline.unknown_regulators`, trained here even with a
        ``scheduler``), and the recommended network scores such TFs by a blend of
        the two fitted in that check (:mod:`~grnfast.pipeline.cold_blend`);
        "negative": they are drawn too (as when the
        regulators are a ChIP-seq panel whose every edge is known).
    targets_without_edges : "negative" or "unknown". A gene that no known edge
        reaches as a target. "negative" (default): drawn among the negatives'
        targets like every gene, so the models learn that such a gene is rarely a
        target (true of a complete network, as BEELINE's ground truths are taken
        to be); "unknown": never a negative's target. Either way, when a model is
        recommended, its network scores the pairs into such genes by a blend of
        the model and the regulators of the genes each is co-expressed with,
        fitted and checked on genes held out of a further training that treats
        them as this policy says (:mod:`~grnfast.pipeline.unknown_targets`;
        ``InferResult.unknown_targets``).
    top_k : targets kept per regulator (None: every regulator x gene pair).
    min_probability : keep only edges whose calibrated probability is at least
        this (0-1; None: no cut-off); combines with ``top_k``. The weight written
        is each model's probability calibrated on the validation pairs
        (:mod:`grnfast.pipeline.calibration`), the same quantity for every model.
    signed : a sign per edge (the prior's, else the correlation's;
        :mod:`grnfast.data.signs`): columns ``sign``/``sign_source`` and, in the
        decoupler format, ``weight`` = sign x probability. False: unsigned weights.
    format, suffix : the ranked networks' columns (:data:`grnfast.scoring.FORMATS`)
        and file type.
    output : the folder written to (None: nothing written, the networks are in
        the result); ``write_h5ad``: a copy of an ``.h5ad`` input with the results.
    scheduler : a Dask scheduler's address (or a ``Client``): each model trained
        as a task there and regulators scored on its workers.
    random_state : seeds the split, the node features' clustering and the models.
    progress : progress bars and one line per step on stderr.

    Every output option is checked before anything is read or trained.
    """
    files_in = inputs if isinstance(inputs, InputFiles) else InputFiles()
    if regulators_without_edges not in REGULATORS_WITHOUT_EDGES:
        raise GRNInputError(f"regulators_without_edges must be one of {', '.join(REGULATORS_WITHOUT_EDGES)}; "
                            f"got {regulators_without_edges!r}")
    if targets_without_edges not in TARGETS_WITHOUT_EDGES:
        raise GRNInputError(f"targets_without_edges must be one of {', '.join(TARGETS_WITHOUT_EDGES)}; "
                            f"got {targets_without_edges!r}")
    min_probability = check_min_probability(min_probability)
    out = check_outputs(output, suffix, write_h5ad, files_in.expression)
    client = dask_client(scheduler) if isinstance(scheduler, str) else scheduler  # a bad address fails now
    try:
        return _run(inputs, files_in, out, client, models, preset, params, negatives, negative_sampling,
                    regulators_without_edges, targets_without_edges, top_k, min_probability, signed, format, suffix,
                    write_h5ad, random_state, progress)
    finally:
        if client is not None and client is not scheduler:
            client.close()


def _run(inputs, files_in, out, client, models, preset, params, negatives, negative_sampling, regulators_without_edges,
         targets_without_edges, top_k, min_probability, signed, format, suffix, write_h5ad, random_state, progress):
    times = StepTimes()
    ds = inputs if isinstance(inputs, GRNDataset) else files_in.load(random_state=random_state, progress=progress)
    times.lap("loading")
    summary = ds.summary()
    say(f"{summary['name']}: {summary['genes']} genes, {summary['regulators']} regulators, {summary['edges']} known "
        "edges" + (f"; {ds.notes['match']}" if "match" in ds.notes else "")
        + (f"; {ds.notes['regulators']}" if "regulators" in ds.notes else ""), enabled=progress)
    drawn = ds.known_regulators if regulators_without_edges == "unknown" else ds.regulators
    drawn_targets = ds.known_targets if targets_without_edges == "unknown" else None
    split = ds.split("random", ratio=negatives, method=negative_sampling, random_state=random_state,
                     regulators=drawn, targets=drawn_targets)
    say(str(split), enabled=progress)
    task = ds.task(split)
    params = dict(params or {})
    if not isinstance(inputs, GRNDataset) and files_in.expression is None:
        # the shipped data set's settings; the caller's params still win
        params = {**SHIPPED_DATA_PARAMS, **params}
    if drawn_targets is not None:
        params = {"negative_targets": list(drawn_targets), **params}
    fitted = train_models(task, model_names(models), with_tf_list(params, drawn), preset=preset,
                          random_state=random_state, progress=progress, client=client)
    times.lap("training")
    fitted_baselines = baselines(task)
    table = report_table(task, fitted, fitted_baselines)
    files = []
    if out is not None:
        with written_atomically(out / "metrics.csv") as partial:
            table.to_csv(partial, index=False)
        files.append((out / "metrics.csv", "every scorer's test metrics"))
    trained = {name: model for name, (model, _) in fitted.items()}
    recommended, sentence = recommendation(task, trained, fitted_baselines["degree baseline"], random_state)
    warnings = [w for w in (evidence_warning(task),) if w]
    times.lap("evaluation")
    check = target_check = None
    if recommended is not None:
        epochs = best_epoch(trained[recommended])  # the checks train what the run kept, no longer
        if regulators_without_edges == "unknown":
            check = _checked(lambda: check_unknown_regulators(ds, recommended, params, epochs=epochs, preset=preset,
                                                              random_state=random_state, progress=progress),
                             "regulators without known edges", "checking TFs without edges", times, warnings)
        target_check = _checked(lambda: check_unknown_targets(ds, recommended, params, negative_regulators=drawn,
                                                              policy=targets_without_edges, epochs=epochs,
                                                              preset=preset, random_state=random_state,
                                                              progress=progress),
                                "genes without known regulators", "checking genes without edges", times, warnings)
    networks = {}
    calibrations = {name: fit_calibration(model, task.X_val, task.y_val) for name, model in trained.items()}
    kept = f"top {top_k} targets per regulator" if top_k else "every regulator x gene pair"
    if min_probability is not None:
        kept += f" with probability >= {min_probability:g}"
    sign = f"signed (prior, else correlation over {correlation_profiles(ds)[1]})" if signed else "unsigned"
    targets = prior_targets(ds, check.blend.beta) if check is not None else None
    regulators = prior_regulators(ds, target_check.blend.beta) if target_check is not None else None
    without_regulators = ds.genes[~ds.genes.isin(ds.known_targets)]
    for name, model in trained.items():
        blended = check.blend.scorer(model, targets) if check is not None and name == check.model else None
        into_unknown = (target_check.blend.target_scorer(model, calibrations[name], regulators, without_regulators)
                        if target_check is not None and name == target_check.model else None)
        edges = network_edges(model, calibrations[name], ds, top_k=top_k, min_probability=min_probability,
                              signed=signed, progress=f"scoring {name}" if progress else None, client=client,
                              without_edges=blended, targets_without_edges=into_unknown)
        networks[name] = as_format(edges, format)
        if out is not None:
            path = out / f"network_{name}{suffix}"
            write_edge_list(edges, path, format=format)
            calibration = calibrations[name]
            weight = (f"weight = probability calibrated ({calibration.method}) on {calibration.n_pairs} validation "
                      f"pairs at prevalence {calibration.prevalence:.2f}" if calibration.increasing else
                      f"weight = the validation prevalence {calibration.prevalence:.2f} for every edge (the model "
                      "ranks the validation pairs worse than chance)")
            if into_unknown is not None:
                weight += (f"; for the pairs into the {target_check.n_without_edges} genes without known regulators, "
                           f"weight = {target_check.blend.describe()}, moved to the prevalence "
                           f"{calibration.prevalence:.2f}")
            elif target_check is not None:
                weight += (f"; its pairs into the {target_check.n_without_edges} genes without known regulators are "
                           f"this model alone, not checked (network_{target_check.model} blends and checks them)")
            if blended is not None:
                weight += (f"; for the {check.n_without_edges} regulators without known edges, weight = "
                           f"{check.blend.describe()}")
            elif check is not None:  # the check weighed the recommended model only
                weight += (f"; its rows for the {check.n_without_edges} regulators without known edges are this "
                           f"model alone, not checked against their targets' in-degree (network_{check.model} "
                           "blends and checks them)")
            files.append((path, f"{len(edges)} edges, {kept}, {format} columns, {weight}, {sign}"))
    times.lap("scoring")
    if write_h5ad is not None:
        from ..data.anndata_output import write_h5ad_copy

        path = write_h5ad_copy(files_in.expression, write_h5ad, networks, trained, files_in.gene_symbols)
        files.append((path, "the input AnnData with uns['grnfast'][model], varm"))
        times.lap("writing .h5ad")
    if out is not None:
        files += _figures(task, trained, fitted_baselines, out, progress)
    seconds = {name: seconds for name, (_, seconds) in fitted.items()}
    return InferResult(ds, task, trained, seconds, fitted_baselines, table, recommended, sentence, calibrations,
                       networks, files, times.closing_line(), warnings, check, target_check)


def _checked(run, what, step, times, warnings):
    """``run()``'s check (None where it does not apply), its time lapped as
    ``step``; a warning when its blend is not ahead of degree, or when its own
    split fails (the networks are trained and good: the run goes on)."""
    try:
        check = run()
    except GRNInputError as error:
        warnings.append(f"the check of the {what} could not run: {error}")
        times.lap(step)
        return None
    if check is not None:
        times.lap(step)
        if not check.blend_wins:
            warnings.append(check.sentence())
    return check


def _figures(task, models, fitted_baselines, out, progress):
    """The run's figures when matplotlib is there; returns (path, what) of each."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        say("matplotlib is not installed: no figures (pip install 'grnfast[plot]')", enabled=progress)
        return []
    from ..plots import save_run_figures

    return save_run_figures(task, models, fitted_baselines, out)
