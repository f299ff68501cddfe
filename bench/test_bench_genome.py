"""Genome-wide scoring (``grnfast.scoring``): regulators x every one of the 10,000
genes, streamed in blocks; ours only, the issue sets absolute targets for it."""
import pytest

import ours
from conftest import KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_score_genome(benchmark, problems, kind):
    p = problems("1x")
    model = ours.fitted_for_prediction(kind, p.features, p.train_pairs, p.train_labels)
    n_regulators = ours.GENOME_REGULATORS[kind]
    benchmark.extra_info["pairs"] = n_regulators * model.n_genes_
    benchmark.pedantic(ours.score_genome, args=(model, n_regulators), rounds=3, iterations=1)
