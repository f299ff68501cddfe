"""Genome-wide scoring agrees with per-pair prediction, ranks deterministically,
and keeps what it promises (top-k per regulator, no self-loops)."""
import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from grnfast import CrossEncoderClassifier, LateInteractionClassifier, TwoTowerClassifier
from grnfast import GRNInputError
from grnfast.scoring import FORMATS, iter_score_blocks, rank_edges, write_edge_list

FAST = dict(embedding_dim=8, hidden_layer_sizes=(16, 8), max_iter=3, early_stopping=False, random_state=0)


@pytest.fixture(scope="module", params=[
    (TwoTowerClassifier, {}), (TwoTowerClassifier, {"similarity": "cosine"}),
    (CrossEncoderClassifier, {}), (CrossEncoderClassifier, {"use_product": False}),
    (CrossEncoderClassifier, {"use_embeddings": False}),
    (LateInteractionClassifier, {}), (LateInteractionClassifier, {"similarity": "cosine", "n_vectors": 3}),
], ids=["two-tower", "two-tower-cosine", "cross-encoder", "cross-encoder-no-product", "cross-encoder-no-embeddings",
        "late-interaction", "late-interaction-cosine"])
def fitted(request):
    model, extra = request.param
    rng = np.random.default_rng(0)
    features = pd.DataFrame(rng.normal(size=(60, 4)), index=[f"g{i}" for i in range(60)])
    pairs = rng.integers(0, 60, (800, 2))
    y = (features.to_numpy()[pairs[:, 0], 0] > features.to_numpy()[pairs[:, 1], 1]).astype(int)
    return model(node_features=features, **FAST, **extra).fit(pairs, y)


def test_grid_matches_decision_function(fitted):
    regs = [3, 10, 59]
    for block, tgts, logits in iter_score_blocks(fitted, regs, block_size=2):
        pairs = np.array([(r, t) for r in block for t in tgts])
        expected = fitted.decision_function(pairs).reshape(len(block), len(tgts))
        np.testing.assert_allclose(logits, expected, rtol=1e-4, atol=1e-4 * (1 + np.abs(expected).max()))


def test_rank_edges_full_and_top_k(fitted):
    regs = ["g1", "g2", "g5"]
    full = rank_edges(fitted, regs)
    assert list(full.columns) == ["Gene1", "Gene2", "EdgeWeight"]
    assert len(full) == 3 * 60 - 3  # no self-loops
    assert (full.Gene1 != full.Gene2).all() and set(full.Gene1) == set(regs)
    assert full.EdgeWeight.is_monotonic_decreasing
    top = rank_edges(fitted, regs, top_k=5)
    assert top.groupby("Gene1").size().to_dict() == {g: 5 for g in regs}
    for g in regs:  # the top 5 of each regulator are its 5 best in the full list
        best = full[full.Gene1 == g].nlargest(5, "EdgeWeight")
        assert set(top[top.Gene1 == g].Gene2) == set(best.Gene2)
    pd.testing.assert_frame_equal(rank_edges(fitted, regs), full)


def test_write_edge_list(fitted, tmp_path):
    edges = rank_edges(fitted, ["g0"], top_k=10)
    path = tmp_path / "edges.csv"
    write_edge_list(edges, path, chunk_rows=3)
    back = pd.read_csv(path)
    assert list(back.columns) == ["Gene1", "Gene2", "EdgeWeight"] and len(back) == 10
    np.testing.assert_allclose(back.EdgeWeight, edges.EdgeWeight)


def test_bad_gene_lists(fitted):
    with pytest.raises(ValueError, match="unknown genes"):
        rank_edges(fitted, ["nope"])
    with pytest.raises(IndexError, match="out of range"):
        rank_edges(fitted, [600])
    with pytest.raises(ValueError, match="top_k"):
        rank_edges(fitted, [1], top_k=0)


def test_ensemble_ranks_by_its_mean_probability(fitted):
    from grnfast import SeedEnsembleClassifier

    pairs = np.random.default_rng(1).integers(0, 60, (400, 2))
    y = (pairs[:, 0] > pairs[:, 1]).astype(int)
    ens = SeedEnsembleClassifier(fitted, n_estimators=2, random_state=0).fit(pairs, y)
    edges = rank_edges(ens, ["g3"], weight="logit")
    expected = ens.predict_proba(np.array([[3, t] for t in range(60) if t != 3]))[:, 1]
    np.testing.assert_allclose(np.sort(expit(edges.EdgeWeight.to_numpy())), np.sort(expected), rtol=1e-4, atol=1e-6)


def test_weights_are_probabilities_ranked_by_log_odds(fitted):
    probability = rank_edges(fitted, ["g1", "g4"])
    logit = rank_edges(fitted, ["g1", "g4"], weight="logit")
    pd.testing.assert_frame_equal(probability[["Gene1", "Gene2"]], logit[["Gene1", "Gene2"]])
    np.testing.assert_allclose(probability.EdgeWeight, expit(logit.EdgeWeight), rtol=1e-12)
    assert probability.EdgeWeight.between(0, 1).all()
    pairs = probability[["Gene1", "Gene2"]].to_numpy()
    expected = fitted.predict_proba(pd.DataFrame(pairs, columns=["regulator", "target"]))[:, 1]
    np.testing.assert_allclose(probability.EdgeWeight, expected, rtol=1e-4, atol=1e-6)
    with pytest.raises(GRNInputError, match="weight must be one of probability, logit"):
        rank_edges(fitted, ["g1"], weight="odds")


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("suffix", [".csv", ".tsv.gz", ".parquet"])
def test_every_format_reads_back(fitted, tmp_path, fmt, suffix):
    edges = rank_edges(fitted, ["g0", "g7"], top_k=10)
    path = tmp_path / f"edges{suffix}"
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
        write_edge_list(edges, path, format=fmt)
        back = pd.read_parquet(path)
    else:
        write_edge_list(edges, path, format=fmt, chunk_rows=7)
        back = pd.read_csv(path, sep="\t" if ".tsv" in suffix else ",")
    assert list(back.columns) == FORMATS[fmt] and len(back) == 20
    weight = back[FORMATS[fmt][2]]
    assert weight.between(0, 1).all() and weight.is_monotonic_decreasing
    np.testing.assert_allclose(weight, edges.EdgeWeight)
    assert list(back[FORMATS[fmt][0]]) == list(edges.Gene1)


def test_output_mistakes_are_named(fitted, tmp_path):
    edges = rank_edges(fitted, ["g0"], top_k=3)
    with pytest.raises(GRNInputError, match=r"edges.txt: cannot tell the file type; end the name in one of \.csv"):
        write_edge_list(edges, tmp_path / "edges.txt")
    with pytest.raises(GRNInputError, match="unknown format 'arboreto'"):
        write_edge_list(edges, tmp_path / "edges.csv", format="arboreto")
    logits = rank_edges(fitted, ["g0"], weight="logit").assign(EdgeWeight=lambda e: e.EdgeWeight - 100)
    with pytest.raises(GRNInputError, match="importance must be non-negative"):
        write_edge_list(logits, tmp_path / "edges.csv", format="scenic")


def test_parquet_without_pyarrow_says_what_to_install(fitted, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "fastparquet", None)
    with pytest.raises(GRNInputError, match=r"needs pyarrow: pip install 'grnfast\[parquet\]'"):
        write_edge_list(rank_edges(fitted, ["g0"], top_k=3), tmp_path / "edges.parquet")
