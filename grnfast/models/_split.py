"""The held-out part of the training pairs that early stopping watches."""
import numpy as np


def stratified_validation_split(y01, fraction, rng):
    """Return (train_rows, validation_rows) with both classes on both sides.

    Each class gives ``round(fraction * count)`` rows, at least one and at most
    ``count - 1``, so the validation AUROC is always defined.
    """
    train, val = [], []
    for label in (0.0, 1.0):
        rows = np.flatnonzero(y01 == label)
        if len(rows) < 2:
            raise ValueError(
                f"early stopping needs at least 2 pairs of each class to hold some out; class {int(label)} has "
                f"{len(rows)}. Pass eval_set, or set early_stopping=False"
            )
        rows = rows[rng.permutation(len(rows))]
        k = int(min(max(round(fraction * len(rows)), 1), len(rows) - 1))
        val.append(rows[:k])
        train.append(rows[k:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(val))
