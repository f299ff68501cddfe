"""Models by name trained on a PairTask: here with an epoch progress bar, or each
as one task on a Dask cluster (the same fitted models, training is deterministic)."""
import time

import numpy as np

from ..errors import GRNInputError
from ..models import MODELS, make_model
from ..progress import Progress, say


def model_names(choice):
    """The models a ``--model`` choice trains: "all" three, "both" (two-tower and
    cross-encoder) or one by name."""
    return {"all": list(MODELS), "both": ["two-tower", "cross-encoder"]}.get(choice, [choice])


def best_epoch(model):
    """The epoch whose weights a fitted model kept: with a validation set, the first
    to reach the score early stopping kept (the last improvement by more than tol,
    not the arg-max, which a later improvement smaller than tol can hold); without
    one, its last epoch. None for a model without ``n_iter_``."""
    n_iter = getattr(model, "n_iter_", None)
    if n_iter is None:
        return None
    scores = getattr(model, "validation_scores_", None)
    scores = [] if scores is None else list(scores)  # a list or an array
    if not scores:
        return int(n_iter)
    restored = getattr(model, "best_validation_score_", None)
    return scores.index(restored) + 1 if restored in scores else int(np.argmax(scores)) + 1


def stop_reason(model):
    """Why a fitted model's training ended, from its public fitted attributes:
    "early stopping at epoch N, best at M" or "max_iter N reached" (with the best
    epoch when there was a validation set); "" for a model without ``n_iter_``."""
    n_iter = getattr(model, "n_iter_", None)
    if n_iter is None:
        return ""
    scores = getattr(model, "validation_scores_", None)
    best = f"best at {best_epoch(model)}" if scores is not None and len(scores) else ""
    max_iter = model.get_params().get("max_iter")
    if max_iter is not None and n_iter < max_iter:
        return f"early stopping at epoch {n_iter}" + (f", {best}" if best else "")
    return f"max_iter {n_iter} reached" + (f", {best}" if best else "")


def trained_again(epochs):
    """How a check's progress line says its model is trained: ``train``'s ``epochs``."""
    return "trained again" + (f" for the run's {epochs} kept epochs" if epochs is not None else "")


def train(task, name, model, progress=True, epochs=None):
    """Fit on the task's training pairs (early stopping on its validation pairs)
    with an epoch progress bar (a closing line off a terminal) that ends saying
    why training stopped; returns (fitted model, seconds). With ``epochs``, the
    model trains for exactly that many epochs on the training pairs alone (no
    validation pass: the count was chosen elsewhere)."""
    if epochs is not None:
        # a patience of the whole run: the stalled-loss stop cannot end it sooner
        model.set_params(max_iter=int(epochs), early_stopping=False, n_iter_no_change=int(epochs))
    bar = Progress(getattr(model, "max_iter", None), name, "epoch", enabled=progress)

    def tick(report):
        bar.update(1)
        score = report["validation_score"]
        bar.set_postfix(loss=f"{report['loss']:.4f}", **({"val_auroc": f"{score:.4f}"} if score is not None else {}))

    start = time.perf_counter()
    with bar:
        if epochs is None:
            fitted = task.fit(model, callbacks=[tick])
        else:
            fitted = model.fit(task.X_train, task.y_train, callbacks=[tick])
        bar.close(stop_reason(fitted) or f"{bar.count} epochs")
    return fitted, time.perf_counter() - start


def dask_client(address):
    """A client of the Dask scheduler at ``address`` (a one-line error when dask is
    missing or nothing answers there)."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise GRNInputError("--scheduler needs dask.distributed: pip install 'grnfast[distributed]'") from None
    try:
        return Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise OSError(f"--scheduler {address}: no Dask scheduler answers there ({exc})") from exc


def train_models(task, names, params, *, preset="default", random_state=0, progress=True, client=None):
    """``{name: (fitted model, seconds)}``: each model of ``names`` in ``preset``
    overridden by ``params``, trained here or, with a Dask ``client``, as one task
    on the cluster."""
    models = {name: make_model(name, task.node_features, random_state=random_state, preset=preset, **params)
              for name in names}
    if client is None:
        return {name: train(task, name, model, progress=progress) for name, model in models.items()}
    futures = {name: client.submit(train, task, name, model, False, pure=False) for name, model in models.items()}
    fitted = {name: future.result() for name, future in futures.items()}
    for name, (model, seconds) in fitted.items():
        say(f"{name}: {stop_reason(model) or 'trained'} on the Dask cluster ({seconds:.1f}s)", enabled=progress)
    return fitted
