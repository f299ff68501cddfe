"""Real and synthetic GRN inputs: expression, prior networks, benchmarks, node
features, negative sampling and splits."""
from .anndata_output import add_to_anndata
from .beeline import available_benchmarks, fetch_beeline, load_beeline, load_published_split
from .dataset import GRNDataset, X_y, node_features_from
from .download import DownloadError
from .cell_types import align_cell_types, read_cell_types
from .expression import (
    cell_type_means,
    cluster_means,
    coverage_report,
    normalize,
    pca_features,
    read_expression,
)
from .files import DataFileError
from .inputs import InputFiles
from .negatives import labelled_pairs, sample_negatives
from .prior_databases import fetch_prior, prior_cache
from .priors import (LowOverlapWarning, MatchReport, match_regulators, match_to_genes, read_edges, read_prior,
                     read_regulators, read_trrust)
from .splits import (PairSplit, cold_genes_split, cold_regulators_split, cold_start_split, cold_targets_split,
                     degree_controlled_split, per_regulator_split, random_split)
from .synthetic import make_synthetic_network
from .task import PairTask

__all__ = [
    "add_to_anndata",
    "available_benchmarks", "fetch_beeline", "load_beeline", "load_published_split",
    "DataFileError", "DownloadError", "InputFiles", "fetch_prior", "prior_cache", "GRNDataset", "LowOverlapWarning", "MatchReport", "PairSplit", "PairTask",
    "X_y", "align_cell_types", "cell_type_means", "cluster_means", "cold_genes_split", "cold_regulators_split",
    "cold_start_split", "cold_targets_split", "coverage_report",
    "degree_controlled_split",
    "labelled_pairs", "make_synthetic_network", "match_to_genes", "node_features_from", "normalize",
    "pca_features", "per_regulator_split", "random_split", "read_cell_types", "read_edges", "read_expression",
    "match_regulators", "read_prior", "read_regulators", "read_trrust", "sample_negatives",
]
