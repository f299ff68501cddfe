"""Splitting labelled pairs into train / validation / test.

- ``random_split``: pairs at random, 70/15/15 by default (published), stratified;
- ``per_regulator_split``: GENELink's protocol: for each regulator, 2/3 of its
  positives train and 1/3 test; train and validation negatives from the same
  regulator's non-targets at 1:1; test negatives random pairs at the network's
  density, so the test prevalence is realistic;
- ``cold_start_split``: hold out regulators, targets or both, so the test pairs
  involve genes never seen in that role during training;
- ``degree_controlled_split``: another split's positives with every part's
  negatives drawn degree-matched to that part's positives, so the training-free
  degree baseline sits near chance and only what a model knows beyond degree counts.

Every split states its sizes and test prevalence (``PairSplit.report()``).
"""
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from ..errors import GRNInputError
from .negatives import labelled_pairs, sample_negatives


@dataclass
class PairSplit:
    """Three frames of labelled pairs (columns regulator, target, label)."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    kind: str = "random"

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
        )


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
    held = set(rng.choice(pool, size=max(1, int(round(fraction * len(pool)))), replace=False).tolist())
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
    split = PairSplit(*(p.reset_index(drop=True) for p in (train, val, test)), kind=f"cold-start ({hold_out})")
    split.held_out = sorted(held)
    return split


def degree_controlled_split(split, edges, regulators, genes, ratio=1.0, random_state=None):
    """The positives of ``split`` with degree-matched negatives in every part.

    Each part's negatives pair the regulator of one of its positives with the
    target of another (``sample_negatives(method="degree_matched")``), ``ratio``
    per positive, so regulators appear among negatives as often as among
    positives and likewise targets: out-degree plus in-degree no longer separates
    them (the degree baseline scores near 0.5). No negative is a known edge
    (``edges``, the whole network) or a pair of another part.
    """
    parts, drawn = [], [edges[["regulator", "target"]]]
    rng = np.random.default_rng(random_state)
    for name in ("train", "validation", "test"):
        frame = getattr(split, name)
        positives = frame.loc[frame["label"] == 1, ["regulator", "target"]]
        if len(positives) == 0:
            raise GRNInputError(f"the {name} part of {split.kind} has no edges to match negatives to")
        negatives = sample_negatives(positives, regulators, genes, ratio, "degree_matched",
                                     int(rng.integers(2**31 - 1)), exclude=pd.concat(drawn, ignore_index=True))
        drawn.append(negatives)
        parts.append(labelled_pairs(positives, negatives))
    return PairSplit(*parts, kind=f"degree-controlled ({split.kind})")
