"""The epoch loop of ``fit``: early stopping, progress lines, callbacks, and the
checks that stop a training run that has saturated."""
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.utils.class_weight import compute_sample_weight

from ._random_negatives import with_random_negatives

# A mean cross-entropy this large means logits in the thousands: the run has blown up.
EXPLODED_LOSS = 1e4


class EarlyStopping:
    """Counts epochs without an improvement of more than ``tol`` in the watched
    score (validation AUROC, higher is better; or the training loss, lower is
    better) and keeps a snapshot of the weights at the best validation score."""

    def __init__(self, patience, tol, higher_is_better):
        self.patience = patience
        self.tol = tol
        self.sign = 1.0 if higher_is_better else -1.0
        self.best = -np.inf
        self.best_score = None
        self.snapshot = None
        self.epochs_without_improvement = 0

    def update(self, score, take_snapshot=None):
        """Record an epoch's score; on an improvement, ``take_snapshot()`` (if given) is kept."""
        if self.sign * score > self.best + self.tol:
            self.best, self.best_score, self.epochs_without_improvement = self.sign * score, score, 0
            if take_snapshot is not None:
                self.snapshot = None  # release the previous snapshot before taking the next
                self.snapshot = take_snapshot()
        else:
            self.epochs_without_improvement += 1

    @property
    def should_stop(self):
        return self.epochs_without_improvement >= self.patience


def check_loss(loss, epoch, learning_rate_init):
    """Stop a run whose loss is not finite or has exploded."""
    if not np.isfinite(loss) or loss > EXPLODED_LOSS:
        raise FloatingPointError(
            f"training diverged at epoch {epoch + 1} (mean training loss {loss:.4g}); lower learning_rate_init "
            f"(now {learning_rate_init}) or keep gradient clipping on (clip_norm)"
        )


def check_scores(logits, learning_rate_init, where):
    """Stop on non-finite scores; warn when every pair gets the same score (the
    network has saturated and ranks nothing)."""
    if not np.isfinite(logits).all():
        raise FloatingPointError(
            f"the trained network gives non-finite scores to {int((~np.isfinite(logits)).sum())} {where} pairs; "
            f"lower learning_rate_init (now {learning_rate_init}) or keep gradient clipping on (clip_norm)"
        )
    if logits.size > 1 and np.ptp(logits) == 0:
        warnings.warn(
            f"the trained network gives every {where} pair the same score ({float(logits[0]):.4g}): it has "
            f"saturated and cannot rank pairs; lower learning_rate_init (now {learning_rate_init}) or alpha, or "
            "train longer", ConvergenceWarning, stacklevel=3,
        )


def epoch_pairs(data, epoch):
    """The pairs, labels and weights of one epoch: the given pairs plus, with random
    negatives, that epoch's fresh draw (class weights then cover both, and the
    ``grid_negatives`` the trainer draws per batch, if any)."""
    grid = data.get("grid_negatives", 0)
    if data["negatives"] is None and not (grid and data["class_weight"] is not None):
        return data["pairs"], data["y"], data["weights"]
    pairs, y = data["pairs"], data["y"]
    if data["negatives"] is not None:
        pairs, y = with_random_negatives(pairs, y, data["negatives"].draw((0, epoch)))
    weights = None
    if data["class_weight"] is not None:
        counted = np.concatenate([y, np.zeros(grid, dtype=y.dtype)]).astype(int)
        weights = np.ascontiguousarray(compute_sample_weight(data["class_weight"], counted)[:len(y)],
                                       dtype=np.float32)
    return pairs, y, weights


def run_epochs(trainer, data, *, max_iter, stopper, seed, learning_rate_init, verbose=0, callbacks=()):
    """Train epoch by epoch until ``max_iter``, early stopping or a callback's stop.

    ``data`` holds ``features``, ``pairs``, ``y``, ``weights``, the validation
    ``val_pairs``/``val_y`` (None without validation), and the ``negatives``
    sampler (or None) with the ``class_weight`` to weigh its draws. Returns
    ``(loss_curve, validation_scores)``; ``stopper.snapshot`` holds the best
    weights when there is a validation set.
    """
    loss_curve, val_scores = [], []
    for epoch in range(int(max_iter)):
        start = time.perf_counter()
        pairs, y, weights = epoch_pairs(data, epoch)
        loss = trainer.train_epoch(data["features"], pairs, y, weights, seed, epoch)
        check_loss(loss, epoch, learning_rate_init)
        loss_curve.append(loss)
        message = f"epoch {epoch + 1:4d}  loss {loss:.5f}"
        if data["val_pairs"] is not None:
            val_logits = trainer.predict_logits(data["features"], data["val_pairs"])
            score = float(roc_auc_score(data["val_y"], val_logits))
            val_scores.append(score)
            message += f"  validation AUROC {score:.4f}"
            stopper.update(score, lambda: (trainer.params(), trainer.buffers()))
        else:
            stopper.update(loss)
        if verbose:
            print(f"{message}  ({time.perf_counter() - start:.2f}s)", flush=True)
        report = {"epoch": epoch + 1, "loss": loss, "validation_score": val_scores[-1] if val_scores else None}
        stop_requested = any([bool(callback(report)) for callback in callbacks or ()])
        if stopper.should_stop or stop_requested:
            break
    return loss_curve, val_scores
