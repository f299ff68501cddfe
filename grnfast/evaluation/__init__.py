"""Honest evaluation of pair scores: metrics, confidence intervals, baselines and
leak-free structural features.

Every evaluation should report the :class:`DegreeBaseline` beside the models and
state the test prevalence (:func:`evaluate` returns it).
"""
from .baselines import CorrelationBaseline, DegreeBaseline, ExpressionBaseline, GeneIdentityBaseline
from .bootstrap import ConfidenceInterval, bootstrap_ci, paired_difference_ci
from .metrics import (
    best_f1_threshold,
    early_precision,
    early_precision_ratio,
    evaluate,
    per_regulator_auroc,
    threshold_metrics,
)
from .protocol import baselines, evaluate_on_test
from .report import format_mean_sd, markdown_table, runs_table, seed_summary, summarize_runs
from .structural import add_degree_features, degree_counts, degree_features

__all__ = [
    "ConfidenceInterval",
    "CorrelationBaseline",
    "DegreeBaseline",
    "ExpressionBaseline",
    "GeneIdentityBaseline",
    "add_degree_features",
    "baselines",
    "best_f1_threshold",
    "bootstrap_ci", "paired_difference_ci",
    "degree_counts",
    "degree_features",
    "early_precision",
    "early_precision_ratio",
    "evaluate",
    "evaluate_on_test",
    "format_mean_sd",
    "markdown_table",
    "per_regulator_auroc",
    "runs_table",
    "seed_summary",
    "summarize_runs",
    "threshold_metrics",
]
