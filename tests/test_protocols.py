"""The evaluation protocols of ``grnfast evaluate``: the cold splits (held-out
regulators, held-out genes), degree-controlled negatives on dense networks, and
the protocols end to end on a small shared benchmark."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grnfast import GRNInputError
from grnfast.data import (GRNDataset, PairSplit, cold_genes_split, cold_regulators_split, cold_targets_split,
                          degree_controlled_split)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TINY = {"max_iter": 1, "embedding_dim": 8, "hidden_layer_sizes": (16,), "n_jobs": 1}


@st.composite
def networks(draw):
    """Gene names and a random network over them (several regulators, no self-loops)."""
    n_genes = draw(st.integers(8, 40))
    n_regs = draw(st.integers(4, min(12, n_genes)))
    density = draw(st.floats(0.1, 0.6))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    genes = [f"g{i}" for i in rng.permutation(n_genes)]  # the gene-table order is not the name order
    r, t = np.nonzero(rng.random((n_regs, n_genes)) < density)
    keep = r != t
    edges = pd.DataFrame({"regulator": [genes[i] for i in r[keep]], "target": [genes[j] for j in t[keep]]})
    return genes, edges


def pair_set(frame):
    return set(zip(frame["regulator"], frame["target"]))


def check_labels(frame, edges):
    """Every pair labelled by the whole network, no self pair, no duplicate."""
    known = pair_set(edges)
    assert (frame["label"].to_numpy() == [pair in known for pair in zip(frame.regulator, frame.target)]).all()
    assert not (frame.regulator == frame.target).any() and len(pair_set(frame)) == len(frame)


def split_or_refusal(function, genes, edges, **kwargs):
    """The split, or None where the network is too small for it (a GRNInputError saying so)."""
    try:
        return function(edges, genes, **kwargs)
    except GRNInputError as exc:
        assert "has no edges" in str(exc) or "has no non-edges" in str(exc) or "too few genes" in str(exc)
        return None


@SETTINGS
@given(net=networks(), seed=st.integers(0, 100), ratio=st.sampled_from([1.0, None]))
def test_cold_regulators_split(net, seed, ratio):
    genes, edges = net
    split = split_or_refusal(cold_regulators_split, genes, edges, ratio=ratio, random_state=seed)
    if split is None:
        return
    with_edges = set(edges.regulator)
    held, val_held = set(split.held_out), set(split.validation_held_out)
    assert len(held) == max(1, round(0.25 * len(with_edges))) and held <= with_edges and not held & val_held
    # Test: every (held-out regulator, gene) pair; validation likewise for its regulators.
    assert pair_set(split.test) == {(r, g) for r in held for g in genes if r != g}
    assert pair_set(split.validation) == {(r, g) for r in val_held for g in genes if r != g}
    # No training or validation pair has a test regulator as regulator; no training pair a validation one.
    assert not split.validation.regulator.isin(held).any()
    assert not split.train.regulator.isin(held | val_held).any()
    # Training: every edge of the other regulators, negatives their own non-targets.
    train_regs = with_edges - held - val_held
    assert pair_set(split.train[split.train.label == 1]) == pair_set(edges[edges.regulator.isin(train_regs)])
    negatives = split.train[split.train.label == 0]
    if ratio is None:
        assert pair_set(split.train) == {(r, g) for r in train_regs for g in genes if r != g}
    else:
        # one per edge, or every non-target of a regulator with fewer
        wanted = {r: min(k, len(genes) - 1 - k) for r, k in edges.regulator.value_counts().items() if r in train_regs}
        assert negatives.regulator.value_counts().to_dict() == {r: k for r, k in wanted.items() if k}
        assert bool(split.notes) == any(k < edges.regulator.value_counts()[r] for r, k in wanted.items())
    for part in (split.train, split.validation, split.test):
        check_labels(part, edges)
    assert not pair_set(split.train) & pair_set(split.validation) and not pair_set(split.test) & pair_set(split.train)


@SETTINGS
@given(net=networks(), seed=st.integers(0, 100), ratio=st.sampled_from([1.0, None]))
def test_cold_genes_split(net, seed, ratio):
    genes, edges = net
    split = split_or_refusal(cold_genes_split, genes, edges, ratio=ratio, random_state=seed)
    if split is None:
        return
    regulators = set(edges.regulator)
    held, val_held = set(split.held_out), set(split.validation_held_out)
    assert len(held) == max(1, round(0.25 * len(genes))) and held <= set(genes) and not held & val_held
    touches = lambda r, g, out: r in out or g in out  # noqa: E731
    assert pair_set(split.test) == {(r, g) for r in regulators for g in genes if r != g and touches(r, g, held)}
    rest = set(genes) - held
    assert pair_set(split.validation) == {(r, g) for r in regulators & rest for g in rest
                                          if r != g and touches(r, g, val_held)}
    # A held-out gene is in no training or validation pair, in any role.
    for part, out in ((split.validation, held), (split.train, held | val_held)):
        assert not part.regulator.isin(out).any() and not part.target.isin(out).any()
    kept = set(genes) - held - val_held
    inside = edges.regulator.isin(kept) & edges.target.isin(kept)
    assert pair_set(split.train[split.train.label == 1]) == pair_set(edges[inside])
    for part in (split.train, split.validation, split.test):
        check_labels(part, edges)


@SETTINGS
@given(net=networks(), seed=st.integers(0, 100), restricted=st.booleans(), held_out_negatives=st.booleans())
def test_cold_targets_split(net, seed, restricted, held_out_negatives):
    """A quarter of the genes with a regulator held out with every edge into them;
    test = every (regulator, held-out gene) pair; training negatives only into
    ``negative_targets`` when given, and into a held-out gene only with
    ``held_out_negatives`` (as a run draws the genes without edges)."""
    genes, edges = net
    with_regulators = set(edges.target)
    negative_targets = sorted(with_regulators) if restricted else None
    split = split_or_refusal(cold_targets_split, genes, edges, random_state=seed, negative_targets=negative_targets,
                             held_out_negatives=held_out_negatives)
    if split is None:
        return
    regulators = set(edges.regulator)
    held, val_held = set(split.held_out), set(split.validation_held_out)
    assert len(held) == max(1, round(0.25 * len(with_regulators))) and held <= with_regulators
    assert not held & val_held and val_held <= with_regulators
    assert pair_set(split.test) == {(r, g) for r in regulators for g in held if r != g}
    assert pair_set(split.validation) == {(r, g) for r in regulators for g in val_held if r != g}
    assert not split.validation.target.isin(held).any()
    kept = edges[~edges.target.isin(held | val_held)]
    train_edges = split.train[split.train.label == 1]
    assert pair_set(train_edges) == pair_set(kept) and not train_edges.target.isin(held | val_held).any()
    negatives = split.train[split.train.label == 0]
    if not held_out_negatives:
        assert not negatives.target.isin(held | val_held).any()
    if restricted:
        assert split.train.target.isin(with_regulators).all()
    # negatives are never a training edge; with held_out_negatives one may be a held-out edge
    assert not pair_set(negatives) & pair_set(kept)
    assert held_out_negatives or not pair_set(negatives) & pair_set(edges)
    for part in (split.validation, split.test):
        check_labels(part, edges)


def test_cold_splits_are_deterministic_per_sample():
    ds = GRNDataset.synthetic(random_state=0, n_genes=200, n_regulators=24, n_cells=50, mean_out_degree=8)
    for function in (cold_regulators_split, cold_targets_split, cold_genes_split):
        first, again, other = (function(ds.edges, ds.genes, random_state=seed) for seed in (1, 1, 2))
        for part in ("train", "validation", "test"):
            pd.testing.assert_frame_equal(getattr(first, part), getattr(again, part))
        assert first.held_out == again.held_out and first.held_out != other.held_out


def test_cold_splits_refuse_bad_input():
    ds = GRNDataset.synthetic(random_state=0, n_genes=100, n_regulators=12, n_cells=50, mean_out_degree=8)
    with pytest.raises(GRNInputError, match="cold-regulators split: fraction must be between 0 and 1; got 1.5"):
        cold_regulators_split(ds.edges, ds.genes, fraction=1.5)
    with pytest.raises(GRNInputError, match="cold-genes split: validation_fraction"):
        cold_genes_split(ds.edges, ds.genes, validation_fraction=0)
    with pytest.raises(GRNInputError, match="ratio must be positive"):
        cold_genes_split(ds.edges, ds.genes, ratio=0)
    with pytest.raises(GRNInputError, match="cold-targets split: held_out_negatives needs a ratio"):
        cold_targets_split(ds.edges, ds.genes, ratio=None, held_out_negatives=True)
    with pytest.raises(GRNInputError, match=r"edges use genes outside the gene list, e\.g\. \['TF"):
        cold_regulators_split(ds.edges, ds.genes[50:])
    one = pd.DataFrame({"regulator": ["a"], "target": ["b"]})
    with pytest.raises(GRNInputError, match="too few genes left to hold out for the test part"):
        cold_regulators_split(one, ["a", "b", "c"])


def test_degree_controlled_split_on_a_dense_network_takes_what_exists():
    """Every pair of a part's regulators and targets but two is an edge: each part
    takes the degree-matched non-edges there are, and the split says the ratio."""
    genes = [f"g{i}" for i in range(12)]
    regulators = genes[:6]
    missing = {(f"g{i}", f"g{i + 6}") for i in range(6)}  # one non-edge per regulator
    edges = pd.DataFrame([(r, g) for r in regulators for g in genes if r != g and (r, g) not in missing],
                         columns=["regulator", "target"])
    parts = [edges[edges.regulator.isin(pair)].assign(label=1).reset_index(drop=True)
             for pair in (["g0", "g1"], ["g2", "g3"], ["g4", "g5"])]  # train, validation, test
    split = degree_controlled_split(PairSplit(*parts, kind="dense"), edges, regulators, genes, random_state=0)
    for name, part in zip(("train", "validation", "test"), (split.train, split.validation, split.test)):
        assert pair_set(part[part.label == 0]) <= missing and (part.label == 0).sum() == 2
        assert f"{name}: 2 degree-matched negatives for 20 edges (0.10 per edge, 1 asked for; every one there is)" \
            in split.notes
    assert "0.10 per edge" in str(split)
    task = GRNDataset("dense", pd.DataFrame(np.zeros((12, 1)), index=genes), edges, regulators).task(split)
    assert task.notes["split_notes"] == split.notes
    full = pd.DataFrame([(r, g) for r in regulators for g in genes if r != g], columns=["regulator", "target"])
    with pytest.raises(GRNInputError, match="the train part of dense has no degree-matched non-edges"):
        degree_controlled_split(PairSplit(*([full.assign(label=1)] * 3), kind="dense"), full, regulators, genes)


def test_benchmark_report_states_the_split_notes():
    from grnfast.pipeline import BenchmarkResult

    runs = pd.DataFrame({"model": ["degree baseline"] * 2, "sample": [1, 2], "auroc": [0.6, 0.7],
                         "split_note": ["test: 138 degree-matched negatives for 733 edges", ""]})
    summary = pd.DataFrame({"model": ["degree baseline"], "metric": ["auroc"], "mean": [0.65], "sd": [0.07]})
    text = BenchmarkResult("title", runs, summary).report()
    assert "sample 1 split: test: 138 degree-matched negatives for 733 edges" in text and "sample 2" not in text


# ---- end to end on a small shared benchmark ---------------------------------------------


@pytest.mark.parametrize("protocol", ["cold-regulators", "cold-genes"])
def test_evaluate_benchmark_under_a_cold_protocol(shared_data, protocol, monkeypatch):
    import grnfast.pipeline.benchmark as benchmark
    from grnfast.data import load_beeline

    seen = []
    train = benchmark.train
    monkeypatch.setattr(benchmark, "train", lambda task, name, model, progress: (
        seen.append((task, model.get_params())) or train(task, name, model, progress)))
    result = benchmark.run_benchmark(shared_data, "Specific", "mDC", 500, [1], ("two-tower",), protocol=protocol,
                                     output=None, params=TINY, progress=False)
    runs = result.runs
    assert list(runs.model) == ["degree baseline", "expression baseline", "correlation baseline",
                                "gene-identity baseline", "two-tower", "two-tower x degree"]
    assert runs.auroc_per_regulator.between(0, 1).all() and runs.prevalence.nunique() == 1
    report = result.report()
    assert "per-TF AUROC" in report and "gene-identity baseline" in report and "test prevalence" in report
    # The split seen by the model: sample 1 seeds it, and the held-out genes are nowhere in training.
    ds = load_beeline(shared_data, "Specific", "mDC", 500)
    (task, params), = seen
    negative_regulators, negative_targets = params["negative_regulators"], params["negative_targets"]
    split = (cold_regulators_split if protocol == "cold-regulators" else cold_genes_split)(
        ds.edges, ds.genes, ratio=None, random_state=1)  # Specific: every non-target, as GENELink's files
    assert task.notes["held_out"] == split.held_out and len(task.X_test) == runs.n_pairs.iloc[0] == len(split.test)
    unseen = set(split.held_out) | set(split.validation_held_out)
    assert not unseen & set(negative_regulators) and set(negative_regulators) == set(ds.regulators) - unseen
    held = set(split.held_out)
    assert not task.X_train.iloc[:, 0].isin(unseen).any() and not task.X_val.iloc[:, 0].isin(held).any()
    if protocol == "cold-genes":
        assert not task.X_train.iloc[:, 1].isin(unseen).any() and not task.X_val.iloc[:, 1].isin(held).any()
        # nor as a random negative's target
        assert set(negative_targets) == set(ds.genes) - unseen
    else:
        assert negative_targets is None  # held-out regulators stay targets


def test_a_cold_targets_split_holds_out_at_most_max_held_out_genes_per_part():
    ds = GRNDataset.synthetic(random_state=0, n_genes=200, n_regulators=24, n_cells=50, mean_out_degree=8)
    split = cold_targets_split(ds.edges, ds.genes, fraction=0.5, validation_fraction=0.5, max_held_out=7,
                               random_state=1)
    assert len(split.held_out) == len(split.validation_held_out) == 7
    assert set(split.test.target) == set(split.held_out)
    assert set(split.validation.target) == set(split.validation_held_out)
    assert not split.train.target.isin(split.held_out + split.validation_held_out).any()
