"""Negative samplers and splits: properties (Hypothesis) and the degree shortcut."""
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grnfast.data import GRNDataset, cold_start_split, degree_controlled_split, labelled_pairs, random_split
from grnfast.data import sample_negatives
from grnfast.data import load_beeline

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def networks(draw):
    n_genes = draw(st.integers(6, 60))
    n_regs = draw(st.integers(1, min(10, n_genes - 1)))
    genes = [f"g{i}" for i in range(n_genes)]
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    n_edges = draw(st.integers(1, max(1, n_regs * n_genes // 4)))
    codes = rng.choice(n_regs * n_genes, size=n_edges, replace=False)
    r, t = np.divmod(codes, n_genes)
    keep = r != t
    edges = pd.DataFrame({"regulator": [genes[i] for i in r[keep]], "target": [genes[j] for j in t[keep]]})
    assume_nonempty = len(edges) > 0
    return genes[:n_regs], genes, edges if assume_nonempty else edges.iloc[:0], seed


def _pairs(frame):
    return list(zip(frame.regulator, frame.target))


@SETTINGS
@given(net=networks(), ratio=st.sampled_from([0.5, 1, 2, 3]), method=st.sampled_from(["uniform", "per_regulator", "degree_matched"]))
def test_negatives_properties(net, ratio, method):
    regulators, genes, edges, seed = net
    if len(edges) == 0:
        return
    try:
        neg = sample_negatives(edges, regulators, genes, ratio, method, random_state=seed)
    except ValueError as exc:  # asked for more non-edges than exist: a clear refusal is right
        assert "non-edges" in str(exc) or "non-targets" in str(exc)
        return
    pairs = _pairs(neg)
    expected = int(round(ratio * len(edges))) if method != "per_regulator" else sum(
        int(round(ratio * k)) for k in edges.regulator.value_counts())
    assert len(pairs) == expected
    assert len(set(pairs)) == len(pairs)  # no duplicates
    assert not set(pairs) & set(_pairs(edges))  # never a known positive
    assert all(r != t for r, t in pairs) and set(neg.regulator) <= set(regulators) and set(neg.target) <= set(genes)
    if method == "per_regulator":
        wanted = {r: int(round(ratio * k)) for r, k in edges.regulator.value_counts().items()}
        assert neg.regulator.value_counts().to_dict() == {r: k for r, k in wanted.items() if k > 0}
    again = sample_negatives(edges, regulators, genes, ratio, method, random_state=seed)
    pd.testing.assert_frame_equal(again, neg)


@SETTINGS
@given(net=networks(), ratio=st.sampled_from([0.5, 1, 3]))
def test_per_regulator_draws_each_regulators_non_targets_in_gene_order(net, ratio):
    """The draw, pinned: regulator by regulator (in the candidate list's order), k of
    its non-targets (no positive, no excluded pair, not itself), listed in gene order,
    chosen by one seeded generator: what the per-regulator mask computes."""
    regulators, genes, edges, seed = net
    if len(edges) == 0:
        return
    exclude = edges.iloc[:0] if len(edges) < 2 else pd.DataFrame({"regulator": [edges.regulator.iloc[0]],
                                                                   "target": [genes[-1]]})
    neg = sample_negatives(edges, regulators, genes, ratio, "per_regulator", random_state=seed, exclude=exclude,
                           allow_fewer=True)
    rng = np.random.default_rng(seed)
    forbidden = set(_pairs(edges)) | set(_pairs(exclude))
    expected = []
    for regulator in regulators:
        k = int(round(ratio * (edges.regulator == regulator).sum()))
        if not (edges.regulator == regulator).any():
            continue
        candidates = np.array([j for j, gene in enumerate(genes)
                               if gene != regulator and (regulator, gene) not in forbidden], dtype=np.int64)
        expected += [(regulator, genes[j]) for j in rng.choice(candidates, size=min(k, len(candidates)),
                                                                replace=False)]
    assert _pairs(neg) == expected


def test_exclude_and_bad_arguments():
    edges = pd.DataFrame({"regulator": ["a", "a"], "target": ["b", "c"]})
    genes = ["a", "b", "c", "d", "e", "f", "g"]
    first = sample_negatives(edges, ["a"], genes, 1.0, random_state=0)
    second = sample_negatives(edges, ["a"], genes, 0.5, random_state=1, exclude=first)
    assert not set(_pairs(first)) & set(_pairs(second))
    with pytest.raises(ValueError, match="non-edges"):
        sample_negatives(edges, ["a"], genes, 3.0)
    with pytest.raises(ValueError, match="unknown negative sampling method"):
        sample_negatives(edges, ["a"], genes, 1.0, "magic")


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), hold_out=st.sampled_from(["regulators", "targets", "both"]))
def test_splits_are_disjoint_and_cold_start_holds_out(seed, hold_out):
    ds = GRNDataset.synthetic(random_state=seed % 7, n_genes=300, n_regulators=30, n_cells=200, mean_out_degree=12)
    pairs = ds.labelled_pairs(1.0, "uniform", random_state=seed)
    split = random_split(pairs, random_state=seed)
    parts = [set(_pairs(f)) for f in (split.train, split.validation, split.test)]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    assert sum(len(p) for p in parts) == len(pairs)
    assert abs(len(split.test) / len(pairs) - 0.15) < 0.01
    assert abs(split.report()["test"]["prevalence"] - 0.5) < 0.02
    try:
        cold = cold_start_split(pairs, hold_out, fraction=0.3, random_state=seed)
    except ValueError as exc:
        assert "single class" in str(exc)
        return
    held = set(cold.held_out)
    train = pd.concat([cold.train, cold.validation])
    if hold_out in ("regulators", "both"):
        assert cold.test.regulator.isin(held).all() and not train.regulator.isin(held).any()
    if hold_out in ("targets", "both"):
        assert cold.test.target.isin(held).all() and not train.target.isin(held).any()
    if hold_out == "both":
        assert not train.regulator.isin(held).any() and not train.target.isin(held).any()


def test_per_regulator_split_follows_genelink(shared_data):
    ds = load_beeline(shared_data, "STRING", "hHEP", 500)
    split = ds.split("per_regulator", random_state=0)
    report = split.report()
    assert abs(report["train"]["prevalence"] - 0.5) < 0.01  # 1:1 negatives from each regulator's non-targets
    assert abs(report["test"]["prevalence"] - ds.summary()["density"]) < 0.005  # realistic test prevalence
    test_pos, train_pos = split.test[split.test.label == 1], pd.concat([split.train, split.validation])
    for reg, group in ds.edges.groupby("regulator"):
        assert (test_pos.regulator == reg).sum() == len(group) // 3  # a third of each regulator's edges
    assert not set(_pairs(test_pos)) & set(_pairs(train_pos[train_pos.label == 1]))


def degree_auroc(train_positives, test_pairs):
    """The function examples/degree_shortcut.py (quoted in docs/guide.md) uses."""
    path = Path(__file__).resolve().parents[1] / "examples" / "degree_shortcut.py"
    spec = importlib.util.spec_from_file_location("degree_shortcut", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.degree_auroc(train_positives, test_pairs)


def test_degree_matched_negatives_remove_the_degree_shortcut(shared_data):
    """The degree baseline against uniform negatives is far above 0.5; against
    degree-matched negatives it is near 0.5 (numbers in docs/guide.md)."""
    ds = load_beeline(shared_data, "STRING", "mESC", 500)
    rng = np.random.default_rng(0)
    is_test = rng.random(len(ds.edges)) < 0.3
    train_pos, test_pos = ds.edges[~is_test], ds.edges[is_test]
    scores = {}
    for method in ("uniform", "degree_matched"):
        negatives = sample_negatives(ds.edges, ds.regulators, ds.genes, 1.0, method, random_state=0)
        scores[method] = degree_auroc(train_pos, labelled_pairs(test_pos, negatives.iloc[: len(test_pos)]))
    assert scores["uniform"] > 0.85
    assert abs(scores["degree_matched"] - 0.5) < 0.08


def test_degree_controlled_split_keeps_positives_and_removes_the_shortcut(shared_data):
    """The published positives stay; every part's negatives are degree-matched,
    never a known edge nor a pair of another part, and the degree baseline
    (training degrees) scores the test part near chance."""
    from grnfast.data import load_published_split
    from grnfast.evaluation import DegreeBaseline, evaluate

    ds = load_beeline(shared_data, "Non-Specific", "mESC", 500)
    published = load_published_split(shared_data, "Non-Specific", "mESC", 500, 1)
    split = degree_controlled_split(published, ds.edges, ds.regulators, ds.genes, random_state=0)
    edges = set(_pairs(ds.edges))
    seen = set()
    for name in ("train", "validation", "test"):
        old, new = getattr(published, name), getattr(split, name)
        assert sorted(_pairs(old[old.label == 1])) == sorted(_pairs(new[new.label == 1]))
        negatives = set(_pairs(new[new.label == 0]))
        assert len(negatives) == (new.label == 1).sum()  # 1:1, no duplicates
        assert not negatives & edges and not negatives & seen
        seen |= negatives
    task = ds.task(split)
    degree = DegreeBaseline(node_features=ds.node_features).fit(task.X_train, task.y_train)
    auroc = evaluate(task.y_test, degree.predict_proba(task.X_test)[:, 1])["auroc"]
    published_task = ds.task(published)
    published_auroc = evaluate(published_task.y_test, DegreeBaseline(node_features=ds.node_features).fit(
        published_task.X_train, published_task.y_train).predict_proba(published_task.X_test)[:, 1])["auroc"]
    assert published_auroc > 0.85 and abs(auroc - 0.5) < 0.1
    again = degree_controlled_split(published, ds.edges, ds.regulators, ds.genes, random_state=0)
    pd.testing.assert_frame_equal(again.test, split.test)
