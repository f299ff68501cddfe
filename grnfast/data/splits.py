"""Splitting labelled pairs into train / validation / test.

- ``random_split``: pairs at random, 70/15/15 by default (published), stratified;
- ``per_regulator_split``: GENELink's protocol: for each regulator, 2/3 of its
  positives train and 1/3 test; train and validation negatives from the same
  regulator's non-targets at 1:1; test negatives random pairs at the network's
  density, so the test prevalence is realistic;
- ``cold_start_split``: hold out regulators, targets or both, so the test pairs
  involve genes never seen in that role during training (from given labelled pairs);
- ``cold_regulators_split``: a share of the regulators with known edges held out;
  test = every (held-out regulator, gene) pair, labelled by the whole network;
  validation likewise on a share of the other regulators;
- ``cold_targets_split``: a share of the genes with a known regulator held out
  as targets (every edge into them); test = every (regulator, held-out gene)
  pair; validation likewise on a share of the other targets;
- ``cold_genes_split``: a share of all genes held out in every role (InfoSEM's
  split); test = every (regulator, gene) pair touching one; validation likewise;
- ``degree_controlled_split``: another split's positives with every part's
  negatives drawn degree-matched to that part's positives, so the training-free
  degree baseline sits near chance and only what a model knows beyond degree counts.

Every split states its sizes and test prevalence (``PairSplit.report()``), and
in ``notes`` anything it could not do as asked.
"""
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from ..errors import GRNInputError
from .negatives import labelled_pairs, sample_negatives


@dataclass
class PairSplit:
    """Three frames of labelled pairs (columns regulator, target, label).

    ``held_out``: the genes the test part holds out of training and validation (in
    the held-out roles, ``held_out_roles``: ``("regulator",)`` or ``("regulator",
    "target")``); ``validation_held_out``: those the validation part holds out of
    training; ``notes``: sentences on what could not be done as asked (e.g. fewer
    negatives than the ratio).
    """

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    kind: str = "random"
    held_out: list = field(default_factory=list)
    validation_held_out: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    held_out_roles: tuple = ()

    def report(self):
        """Sizes, edges and prevalence of each part."""
        rows = {}
        for part in ("train", "validation", "test"):
            frame = getattr(self, part)
            rows[part] = {"pairs": len(frame), "edges": int(frame["label"].sum()),
                          "prevalence": float(frame["label"].mean()) if len(frame) else float("nan")}
        return rows

    def __str__(self):
        r = self.report()
        return f"{self.kind} split: " + ", ".join(
            f"{part} {v['pairs']} pairs ({v['edges']} edges, prevalence {v['prevalence']:.3f})" for part, v in r.items()
        ) + "".join(f"; {note}" for note in self.notes)


def _stratified(pairs, test_size, random_state, what):
    """scikit-learn's stratified split, with a message that says which pairs were too few."""
    try:
        return train_test_split(pairs, test_size=test_size, stratify=pairs["label"], random_state=random_state)
    except ValueError as exc:
        counts = pairs["label"].value_counts()
        raise GRNInputError(f"too few labelled pairs for {what}: {int(counts.get(1, 0))} edges and "
                            f"{int(counts.get(0, 0))} non-edges cannot be split stratified ({exc})") from None


def random_split(pairs, fractions=(0.7, 0.15, 0.15), random_state=None):
    """Stratified random split of labelled pairs by ``fractions`` (train, validation, test)."""
    if len(fractions) != 3 or not np.isclose(sum(fractions), 1.0) or min(fractions) <= 0:
        raise GRNInputError(f"fractions must be three positive numbers summing to 1; got {fractions}")
    rest, test = _stratified(pairs, fractions[2], random_state, "a random train/validation/test split")
    train, val = _stratified(rest, fractions[1] / (fractions[0] + fractions[1]), random_state,
                             "a random train/validation/test split")
    return PairSplit(*(p.reset_index(drop=True) for p in (train, val, test)), kind="random")


def per_regulator_split(positives, regulators, genes, validation_fraction=0.1, random_state=None):
    """GENELink's protocol (see the module docstring)."""
    rng = np.random.default_rng(random_state)
    train_pos, test_pos = [], []
    for _, group in positives.groupby("regulator", sort=True):
        order = rng.permutation(len(group))
        n_test = len(group) // 3
        test_pos.append(group.iloc[order[:n_test]])
        train_pos.append(group.iloc[order[n_test:]])
    train_pos, test_pos = pd.concat(train_pos), pd.concat(test_pos)
    seed = int(rng.integers(2**31 - 1))
    train_neg = sample_negatives(train_pos, regulators, genes, 1.0, "per_regulator", seed)
    # Test negatives: random non-edges at the network's density over regulator x gene.
    density = len(positives) / (len(pd.unique(np.asarray(regulators))) * len(pd.unique(np.asarray(genes))))
    test_neg = sample_negatives(positives, regulators, genes, (1 - density) / density * len(test_pos) / len(positives),
                                "uniform", seed + 1, exclude=train_neg)
    train_pos_neg = labelled_pairs(train_pos, train_neg)
    train, val = _stratified(train_pos_neg, validation_fraction, seed, "a per-regulator split's validation part")
    test = labelled_pairs(test_pos, test_neg)
    return PairSplit(*(p.reset_index(drop=True) for p in (train, val, test)), kind="per-regulator")


def cold_start_split(pairs, hold_out="regulators", fraction=0.2, validation_fraction=0.1, random_state=None):
    """Hold out a ``fraction`` of the genes in a role.

    ``hold_out="regulators"``: test pairs are those of held-out regulators, and no
    training pair has one as regulator; ``"targets"`` likewise for targets;
    ``"both"``: test pairs have a held-out regulator and a held-out target, and
    training pairs touch no held-out gene at all. Pairs that fall in neither part
    are dropped.
    """
    if hold_out not in ("regulators", "targets", "both"):
        raise GRNInputError(f"hold_out must be 'regulators', 'targets' or 'both'; got {hold_out!r}")
    rng = np.random.default_rng(random_state)
    if hold_out == "both":
        pool = pd.unique(pd.concat([pairs["regulator"], pairs["target"]]))
    else:
        pool = pd.unique(pairs["regulator" if hold_out == "regulators" else "target"])
    held = set(_draw(pool, fraction, rng))
    reg_held, tgt_held = pairs["regulator"].isin(held), pairs["target"].isin(held)
    if hold_out == "regulators":
        test_mask, train_mask = reg_held, ~reg_held
    elif hold_out == "targets":
        test_mask, train_mask = tgt_held, ~tgt_held
    else:
        test_mask, train_mask = reg_held & tgt_held, ~reg_held & ~tgt_held
    test, rest = pairs[test_mask], pairs[train_mask]
    for part, name in ((test, "test"), (rest, "training")):
        if part["label"].nunique() < 2:
            raise GRNInputError(f"cold-start {name} part has a single class; hold out a different fraction or seed")
    train, val = _stratified(rest, validation_fraction, int(rng.integers(2**31 - 1)),
                             "a cold-start split's validation part")
    return PairSplit(*(p.reset_index(drop=True) for p in (train, val, test)), kind=f"cold-start ({hold_out})",
                     held_out=sorted(held))


def _draw(pool, fraction, rng, at_most=None):
    """A seeded ``fraction`` of ``pool`` (at least one, at most ``at_most``), in the order drawn."""
    size = max(1, int(round(fraction * len(pool))))
    return rng.choice(pool, size=size if at_most is None else min(size, at_most), replace=False).tolist()


def _every_pair(regulators, genes, edges):
    """Every (regulator, gene) pair but self pairs, labelled 1 where ``edges`` has it."""
    r = np.repeat(np.asarray(regulators, dtype=object), len(genes))
    t = np.tile(np.asarray(genes, dtype=object), len(regulators))
    pairs = pd.DataFrame({"regulator": r, "target": t})
    pairs = pairs[pairs["regulator"] != pairs["target"]]
    known = pd.MultiIndex.from_frame(edges[["regulator", "target"]])
    is_edge = pd.MultiIndex.from_frame(pairs).isin(known)
    return pairs.assign(label=is_edge.astype(np.int64)).reset_index(drop=True)


def _cold_split(edges, genes, roles, fraction, validation_fraction, ratio, random_state, kind, negative_targets=None,
                held_out_negatives=False, max_held_out=None):
    """Hold out genes in ``roles`` (("regulator",): candidate regulators;
    ("target",): genes with a known regulator; or ("regulator", "target"): any
    gene), a seeded ``fraction`` for the test part, then a ``validation_fraction``
    of the rest for the validation part (each at most ``max_held_out`` genes when given).

    Candidate regulators are the genes with an edge in ``edges`` (the whole
    network). The test part is every candidate pair using a test gene in a held-out
    role; the validation part every pair using a validation gene, among the genes
    left after the test's; both labelled by ``edges``. Training is the edges among
    the genes left after both, with negatives drawn as the published (GENELink)
    protocol draws them: each training regulator's own non-targets, ``ratio`` per
    edge (``None``: every one, as GENELink's Specific files), among
    ``negative_targets`` only when given (e.g. the genes with a known regulator);
    with ``held_out_negatives`` the held-out targets may be drawn too (as a run
    draws the genes the prior has no edge into), so a training negative may be a
    held-out edge.
    """
    for name, value in (("fraction", fraction), ("validation_fraction", validation_fraction)):
        if not 0 < value < 1:
            raise GRNInputError(f"{kind} split: {name} must be between 0 and 1; got {value!r}")
    if ratio is not None and not ratio > 0:
        raise GRNInputError(f"{kind} split: ratio must be positive or None (every non-target); got {ratio!r}")
    if held_out_negatives and ratio is None:
        raise GRNInputError(f"{kind} split: held_out_negatives needs a ratio (every non-target would label the "
                            "held-out edges)")
    genes = pd.Index(pd.unique(np.asarray(genes, dtype=object)))
    edges = edges[["regulator", "target"]].drop_duplicates()
    outside = ~edges["regulator"].isin(genes) | ~edges["target"].isin(genes)
    if outside.any():
        raise GRNInputError(f"{kind} split: {int(outside.sum())} edges use genes outside the gene list, e.g. "
                            f"{edges[outside].iloc[0].tolist()}")
    rng = np.random.default_rng(random_state)
    regulators, targets = genes[genes.isin(edges["regulator"])], genes
    pool = {("regulator",): regulators, ("target",): genes[genes.isin(edges["target"])]}.get(roles, genes)
    held = {}
    for part, share in (("test", fraction), ("validation", validation_fraction)):
        if len(pool) < 2:
            raise GRNInputError(f"{kind} split: too few genes left to hold out for the {part} part")
        held[part] = _draw(pool, share, rng, max_held_out)
        pool = pool[~pool.isin(held[part])]
    parts = {}
    for part in ("test", "validation"):
        out = pd.Index(held[part])
        if roles == ("regulator",):
            frame = _every_pair(regulators[regulators.isin(out)], targets, edges)
        elif roles == ("target",):
            frame = _every_pair(regulators, targets[targets.isin(out)], edges)
        else:
            frame = _every_pair(regulators, targets, edges)
            frame = frame[frame["regulator"].isin(out) | frame["target"].isin(out)]
        parts[part] = frame.reset_index(drop=True)
        if "regulator" in roles:
            regulators = regulators[~regulators.isin(out)]
        if "target" in roles:
            targets = targets[~targets.isin(out)]
    positives = edges[edges["regulator"].isin(regulators) & edges["target"].isin(targets)]
    if held_out_negatives:
        targets = genes[genes.isin(targets) | genes.isin(held["test"]) | genes.isin(held["validation"])]
    if negative_targets is not None:
        targets = targets[targets.isin(negative_targets) | targets.isin(positives["target"])]
    notes = []
    if ratio is None:
        train = _every_pair(regulators[regulators.isin(positives["regulator"])], targets, edges)
    else:
        negatives = sample_negatives(positives, regulators, targets, ratio, "per_regulator",
                                     int(rng.integers(2**31 - 1)), allow_fewer=True)
        if len(negatives) < round(ratio * len(positives)):
            notes.append(f"train: {len(negatives)} negatives for {len(positives)} edges, some regulators having "
                         f"fewer non-targets than {ratio:g} per edge")
        train = labelled_pairs(positives, negatives)
    parts["train"] = train
    for part, frame in parts.items():
        if frame["label"].nunique() < 2:
            raise GRNInputError(f"{kind} split (random_state={random_state}): the {part} part has "
                                f"{'no non-edges' if frame['label'].any() else 'no edges'}; "
                                "the network is too small for this split")
    return PairSplit(parts["train"], parts["validation"], parts["test"], kind=kind,
                     held_out=sorted(held["test"]), validation_held_out=sorted(held["validation"]), notes=notes,
                     held_out_roles=tuple(roles))


def cold_regulators_split(edges, genes, fraction=0.25, validation_fraction=0.2, ratio=1.0, random_state=None,
                          negative_targets=None, max_held_out=None):
    """Regulators the training never saw as regulators (``cold-regulators``).

    A seeded ``fraction`` of the regulators with an edge in ``edges`` (the whole
    known network) is held out; the test part is every (held-out regulator, gene)
    pair but self pairs, labelled by ``edges``: a user's question for a TF the prior
    lacks. A ``validation_fraction`` of the other regulators is held out of training
    the same way for the validation part, so early stopping answers the test's
    question. Training: the remaining regulators' edges with ``ratio`` of each
    one's own non-targets per edge (GENELink's training negatives; ``None``: every
    non-target). No training or validation pair has a test regulator as regulator
    (held-out regulators may still be targets). ``held_out`` and
    ``validation_held_out`` list the held-out regulators. ``negative_targets``:
    the training negatives' targets are drawn among these only (default: every
    gene). ``max_held_out``: each part holds out at most this many regulators (a
    genome's fifth would make millions of test pairs).
    """
    return _cold_split(edges, genes, ("regulator",), fraction, validation_fraction, ratio, random_state,
                       "cold-regulators", negative_targets, max_held_out=max_held_out)


def cold_targets_split(edges, genes, fraction=0.25, validation_fraction=0.2, ratio=1.0, random_state=None,
                       negative_targets=None, held_out_negatives=False, max_held_out=None):
    """Targets the training never saw as targets (a gene the prior has no edge into).

    A seeded ``fraction`` of the genes with a known regulator in ``edges`` is held
    out with every edge into it; the test part is every (regulator with an edge,
    held-out gene) pair but self pairs, labelled by ``edges``. A
    ``validation_fraction`` of the other targets is held out the same way for the
    validation part. Training: the edges into the remaining genes with ``ratio``
    of each regulator's own non-targets per edge, among ``negative_targets`` only
    when given, and never into a held-out gene unless ``held_out_negatives`` (a run
    of ``infer`` with ``targets_without_edges="negative"`` draws the genes without
    edges as negatives; its check draws its held-out genes likewise, edges of
    theirs among them). ``max_held_out``: each part holds out at most this many
    genes (a genome's fifth would make millions of test pairs). ``held_out`` and
    ``validation_held_out`` list the held-out targets (which may still be regulators).
    """
    return _cold_split(edges, genes, ("target",), fraction, validation_fraction, ratio, random_state,
                       "cold-targets", negative_targets, held_out_negatives, max_held_out)


def cold_genes_split(edges, genes, fraction=0.25, validation_fraction=0.2, ratio=1.0, random_state=None):
    """Genes the training never saw in any role (``cold-genes``, InfoSEM's split).

    A seeded ``fraction`` of all ``genes`` is held out; the test part is every
    (regulator with an edge in ``edges``, gene) pair but self pairs that has a
    held-out gene as regulator or target, labelled by ``edges``. A
    ``validation_fraction`` of the other genes is held out of training the same way
    for the validation part (its pairs touch no test gene). Training: the edges
    among the remaining genes with ``ratio`` of each regulator's own non-targets
    among them per edge (``None``: every non-target). No training or validation
    pair touches a test gene, and no training pair a validation gene.
    """
    return _cold_split(edges, genes, ("regulator", "target"), fraction, validation_fraction, ratio, random_state,
                       "cold-genes")


def degree_controlled_split(split, edges, regulators, genes, ratio=1.0, random_state=None):
    """The positives of ``split`` with degree-matched negatives in every part.

    Each part's negatives pair the regulator of one of its positives with the
    target of another (``sample_negatives(method="degree_matched")``), ``ratio``
    per positive, so regulators appear among negatives as often as among
    positives and likewise targets: out-degree plus in-degree no longer separates
    them (the degree baseline scores near 0.5). No negative is a known edge
    (``edges``, the whole network) or a pair of another part.

    On a dense network a part may have fewer such non-edges than asked for (its
    positives' regulators x targets are mostly edges): it then takes every one
    there is, and ``notes`` gives the ratio reached (the prevalence shows it too).
    """
    parts, drawn, notes = [], [edges[["regulator", "target"]]], []
    rng = np.random.default_rng(random_state)
    for name in ("train", "validation", "test"):
        frame = getattr(split, name)
        positives = frame.loc[frame["label"] == 1, ["regulator", "target"]]
        if len(positives) == 0:
            raise GRNInputError(f"the {name} part of {split.kind} has no edges to match negatives to")
        negatives = sample_negatives(positives, regulators, genes, ratio, "degree_matched",
                                     int(rng.integers(2**31 - 1)), exclude=pd.concat(drawn, ignore_index=True),
                                     allow_fewer=True)
        if len(negatives) == 0:
            raise GRNInputError(f"the {name} part of {split.kind} has no degree-matched non-edges: every pair of "
                                "its edges' regulators and targets is a known edge or in another part")
        if len(negatives) < round(ratio * len(positives)):
            notes.append(f"{name}: {len(negatives)} degree-matched negatives for {len(positives)} edges "
                         f"({len(negatives) / len(positives):.2f} per edge, {ratio:g} asked for; every one there is)")
        drawn.append(negatives)
        parts.append(labelled_pairs(positives, negatives))
    return PairSplit(*parts, kind=f"degree-controlled ({split.kind})", notes=notes)
