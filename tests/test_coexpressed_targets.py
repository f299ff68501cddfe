"""The co-expressed TFs' targets: the known regulators' target rows weighed by
softmax(beta x their correlation with a TF), beta chosen by leaving regulators out
(grnfast.pipeline.coexpressed_targets)."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

import grnfast.pipeline.coexpressed_targets as coexpressed
from grnfast import GRNInputError
from grnfast.pipeline.coexpressed_targets import (BETAS, CoexpressedRegulators, CoexpressedTargets, row_auroc,
                                                   softmax_weights)

GENES = pd.Index([f"g{i}" for i in range(40)])


def modules(n_per_module=4, n_samples=60, noise=0.05, seed=0, shared_targets=False):
    """Two modules of regulators (g0-g3, g4-g7): each module's regulators follow one
    expression program and regulate one set of targets (or, with
    ``shared_targets``, every regulator the same set), and a TF of each module
    without edges (g8, g9)."""
    rng = np.random.default_rng(seed)
    programs = rng.normal(size=(2, n_samples))
    profiles = rng.normal(size=(len(GENES), n_samples))
    for module in range(2):
        for tf in [*range(module * n_per_module, (module + 1) * n_per_module), 8 + module]:
            profiles[tf] = programs[module] + noise * rng.normal(size=n_samples)
    rows = []
    for tf in range(2 * n_per_module):
        module = 0 if shared_targets else tf // n_per_module
        start = 10 + 15 * module
        chosen = rng.choice(np.arange(start, start + 15), size=10, replace=False)
        rows += [(GENES[tf], GENES[t]) for t in chosen]
    edges = pd.DataFrame(rows, columns=["regulator", "target"])
    return pd.DataFrame(profiles, index=GENES), edges


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(3, 12), st.booleans())
def test_row_auroc_is_scikit_learns_per_row_over_the_kept_genes(seed, n_genes, ties):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 3, size=(4, n_genes)).astype(float) if ties else rng.normal(size=(4, n_genes))
    y = np.zeros((4, n_genes))
    y[:, 0], y[:, 1] = 1, 0
    y[:, 2:] = rng.integers(0, 2, size=(4, n_genes - 2))
    keep = np.ones_like(y, dtype=bool)
    keep[np.arange(4), rng.integers(2, n_genes, size=4)] = False
    expected = [roc_auc_score(y[i, keep[i]], scores[i, keep[i]]) for i in range(4)]
    assert row_auroc(scores, y, keep) == pytest.approx(expected)
    assert row_auroc(scores, y) == pytest.approx([roc_auc_score(y[i], scores[i]) for i in range(4)])


def test_softmax_weights_leave_out_minus_infinity_at_any_beta():
    correlation = np.array([[-np.inf, 0.5, -0.2], [0.1, -np.inf, 0.9]])
    for beta in BETAS:
        weights = softmax_weights(correlation, beta)
        assert weights[0, 0] == weights[1, 1] == 0 and weights.sum(axis=1) == pytest.approx([1, 1])
    assert softmax_weights(correlation, 0.0)[0] == pytest.approx([0, 0.5, 0.5])
    assert softmax_weights(correlation, 1e4)[1] == pytest.approx([0, 0, 1])


def test_at_beta_zero_the_share_is_the_smoothed_in_degree_share():
    profiles, edges = modules()
    targets = CoexpressedTargets.fit(GENES, profiles, edges, ["g8", "g9"], beta=0.0)
    in_degree = edges.target.value_counts().reindex(GENES, fill_value=0).to_numpy()
    expected = np.log((in_degree + 1.0) / 9.0)  # 8 regulators with edges
    assert targets.log_share(["g8", "g9"]) == pytest.approx(np.vstack([expected, expected]))
    # a known regulator's share is the other seven's
    own = GENES.isin(edges.target[edges.regulator == "g0"])
    assert targets.log_share(["g0"])[0] == pytest.approx(np.log((in_degree - own + 1.0) / 8.0))


def test_a_large_beta_reads_the_targets_of_the_co_expressed_module():
    profiles, edges = modules()
    targets = CoexpressedTargets.fit(GENES, profiles, edges, ["g8", "g9"], beta=20.0)
    share = targets.log_share(["g8", "g9"])
    module_targets = [GENES.isin(edges.target[edges.regulator.isin(GENES[m * 4:(m + 1) * 4])]) for m in (0, 1)]
    for row, module in ((0, 0), (1, 1)):
        assert share[row, module_targets[module]].min() > share[row, module_targets[1 - module]].max()
    pairs = pd.DataFrame({"regulator": ["g9", "g8", "g9"], "target": ["g30", "g11", "g0"]})
    assert targets.pair_log_share(pairs) == pytest.approx(
        [share[1, GENES.get_loc("g30")], share[0, GENES.get_loc("g11")], share[1, 0]])


def test_beta_is_chosen_where_co_expression_tells_the_targets_and_zero_where_it_cannot():
    profiles, edges = modules()
    # from beta 2 on, each left-out regulator's module ranks its targets first: the smallest such beta
    assert CoexpressedTargets.fit(GENES, profiles, edges, ["g8"]).beta == 2.0
    # every regulator's targets are one set: every beta ranks them alike, and a tie keeps 0
    profiles, edges = modules(shared_targets=True)
    edges = pd.DataFrame([(tf, target) for tf in GENES[:8] for target in GENES[20:30]], columns=edges.columns)
    assert CoexpressedTargets.fit(GENES, profiles, edges, ["g8"]).beta == 0.0



def test_the_choice_never_reads_a_left_out_regulators_own_edges(monkeypatch):
    """Each left-out regulator's share is weighed over the other seven, at every
    beta tried: its own target row (its labels) never counts."""
    profiles, edges = modules()
    seen = []
    original = coexpressed.CoexpressedTargets._log_share

    def spy(self, rows, beta, targets=None):
        shares = original(self, rows, beta, targets)
        seen.append((rows.copy(), np.isfinite(self._correlation(rows)).sum(axis=1)))
        return shares

    monkeypatch.setattr(coexpressed.CoexpressedTargets, "_log_share", spy)
    CoexpressedTargets.fit(GENES, profiles, edges, ["g8"])
    assert len(seen) == len(BETAS)
    for rows, n_weighed in seen:
        assert (n_weighed == 7).all()  # each left-out regulator weighs the 7 others


def test_a_sample_of_choosers_when_there_are_many_is_seeded(monkeypatch):
    profiles, edges = modules(n_per_module=4)
    monkeypatch.setattr(coexpressed, "MAX_CHOOSERS", 3)
    first = CoexpressedTargets.fit(GENES, profiles, edges, ["g8"], random_state=4)
    assert CoexpressedTargets.fit(GENES, profiles, edges, ["g8"], random_state=4).beta == first.beta


def test_genes_without_a_profile_or_with_a_constant_one_correlate_zero():
    profiles, edges = modules()
    profiles.loc["g9"] = 1.0  # constant
    targets = CoexpressedTargets.fit(GENES, profiles.drop(index="g8"), edges, ["g8", "g9"], beta=20.0)
    at_zero = CoexpressedTargets.fit(GENES, profiles, edges, ["g8"], beta=0.0).log_share(["g8"])[0]
    # every weight equal: the in-degree share
    assert targets.log_share(["g8", "g9"]) == pytest.approx(np.vstack([at_zero, at_zero]))


def test_bad_input_is_named():
    profiles, edges = modules()
    with pytest.raises(GRNInputError, match="at least one known edge"):
        CoexpressedTargets.fit(GENES, profiles, edges.iloc[:0], ["g8"])
    targets = CoexpressedTargets.fit(GENES, profiles, edges, ["g8"], beta=1.0)
    with pytest.raises(GRNInputError, match="1 regulators were not candidates.*'g9'"):
        targets.log_share(["g8", "g9"])
    with pytest.raises(GRNInputError, match="the known edges' targets"):
        CoexpressedTargets.fit(GENES, profiles, pd.DataFrame({"regulator": ["g0"], "target": ["nope"]}), ["g8"])


def test_shares_computed_a_block_at_a_time_equal_all_at_once(monkeypatch):
    profiles, edges = modules()
    whole = CoexpressedTargets.fit(GENES, profiles, edges, GENES, beta=2.0)
    expected = whole.log_share(GENES)
    monkeypatch.setattr(coexpressed, "ROWS_AT_ONCE", 3)
    assert np.allclose(whole.log_share(GENES), expected, rtol=0, atol=1e-12)
    columns = ["g12", "g3", "g30"]
    assert np.array_equal(whole.log_share(["g8", "g9"], columns=columns),
                          whole.log_share(["g8", "g9"])[:, GENES.get_indexer(columns)])


@pytest.mark.parametrize("seed, at_once", [(0, 32), (1, 32), (0, 3)])
def test_the_choice_among_some_genes_scores_only_those_and_gives_the_same_aurocs(monkeypatch, seed, at_once):
    """With ``choice_targets``, each left-out regulator's AUROC at each beta is the
    one over every gene with the others masked out, all at once (as it was computed
    until 2026-12-08), to float rounding, whether the left-out regulators are ranked
    a block of 3 at a time or all together; only the kept columns are scored. Here
    the choosers' own genes are among the kept ones too (g1, g2 are regulated)."""
    monkeypatch.setattr(coexpressed, "CHOOSERS_AT_ONCE", at_once)
    profiles, edges = modules(seed=seed)
    edges = pd.concat([edges, pd.DataFrame({"regulator": ["g0", "g4", "g5"], "target": ["g1", "g2", "g1"]})])
    reversed_edges = edges.set_axis(["target", "regulator"], axis=1)
    regulators = sorted(edges.regulator.unique())
    seen = {}
    monkeypatch.setattr(coexpressed, "chosen_beta", lambda aurocs: seen.setdefault("aurocs", aurocs) is None)
    fitted = CoexpressedTargets.fit(GENES, profiles, reversed_edges, ["g36"], choice_targets=regulators)
    # the reference: every gene scored, the genes outside the choice and each chooser's own gene masked
    known = pd.Index(sorted(reversed_edges.regulator.unique()))
    y = fitted._targets.toarray()
    keep = np.tile(GENES.isin(regulators), (len(known), 1))
    own = GENES.get_indexer(known)
    keep[np.arange(len(known))[own >= 0], own[own >= 0]] = False
    y = y * keep
    usable = (y.sum(axis=1) > 0) & (y.sum(axis=1) < keep.sum(axis=1))
    rows = fitted._candidate_row[known[usable]].to_numpy()
    expected = [row_auroc(fitted._log_share(rows, beta), y[usable], keep[usable]) for beta in BETAS]
    assert np.allclose(seen["aurocs"], expected, rtol=0, atol=1e-12) and usable.sum() > 10


def test_the_co_expressed_genes_regulators_are_the_reversed_networks_transfer():
    """For a gene without edges, each regulator's share is that of the genes with
    known regulators it regulates, weighed by their correlation with the gene: the
    reversed network's co-expressed targets, transposed, with beta chosen over the
    regulators only."""
    profiles, edges = modules()
    lacking = ["g36", "g37"]
    profiles.loc["g36"] = profiles.loc["g12"] + 0.01  # a twin of a gene that module 0 regulates
    regulators = sorted(edges.regulator.unique())
    transfer = CoexpressedRegulators.fit(GENES, profiles, edges, lacking, regulators)
    reversed_edges = edges.set_axis(["target", "regulator"], axis=1)
    twin = CoexpressedTargets.fit(GENES, profiles, reversed_edges, lacking, beta=transfer.beta)
    assert np.array_equal(transfer.log_share(lacking),
                          twin.log_share(lacking)[:, GENES.get_indexer(regulators)].T)
    pairs = pd.DataFrame({"regulator": ["g1", "g5", "g2"], "target": ["g36", "g36", "g37"]})
    share = transfer.log_share(lacking)
    assert transfer.pair_log_share(pairs) == pytest.approx(
        [share[regulators.index(r), lacking.index(t)] for r, t in zip(pairs.regulator, pairs.target)])
    # at a large beta, g36 reads g12's regulators: one of module 0's
    sharp = CoexpressedRegulators.fit(GENES, profiles, edges, lacking, regulators, beta=20.0)
    assert set(edges[edges.target == "g12"].regulator) == {
        regulators[i] for i in np.flatnonzero(sharp.log_share(["g36"])[:, 0] > np.log(0.5))}
