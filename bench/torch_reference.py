"""grnfast's two architectures written in PyTorch (CPU), the yardstick of the benchmarks.

Same layers, initialisation, loss, clipping and optimizer settings as the
grnfast defaults, so an epoch here does the same work as an epoch there:

- ``"dense"``: ``nn.Embedding`` with dense gradients and one ``Adam`` with L2
  (``weight_decay``) over everything: every embedding row steps every batch,
  like ``embedding_update="dense"``.
- ``"sparse"``: ``nn.Embedding(sparse=True)`` stepped by ``SparseAdam`` (only the
  rows in the batch, no L2 on them) and ``Adam`` with L2 for the rest, the
  counterpart of ``embedding_update="lazy"`` (which also adds L2 to the rows it
  steps; a few hundred rows per batch, negligible work).
"""
import time

import numpy as np
import torch
from torch import nn

N_THREADS = 2
EMBEDDING_DIM = 512
HIDDEN = (256, 128, 64)
DROPOUT = 0.2
TEMPERATURE = 0.05
LEARNING_RATE = 5e-3
WEIGHT_DECAY = 0.01
CLIP_NORM = 5.0
BATCH_SIZE = 256
PREDICT_CHUNK = 16384


def standardise(features):
    """Per-column z-scores, as grnfast computes them (population std, zero std -> 1)."""
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale == 0] = 1.0
    return torch.from_numpy(((features - mean) / scale).astype(np.float32))


def _block(n_in, n_out):
    return [nn.Linear(n_in, n_out), nn.BatchNorm1d(n_out), nn.ReLU(), nn.Dropout(DROPOUT)]


def _mlp(n_in, sizes, last_linear):
    """Linear+BN+ReLU+Dropout per size; with ``last_linear`` the last size is a plain Linear."""
    layers, width = [], n_in
    for size in sizes[:-1] if last_linear else sizes:
        layers += _block(width, size)
        width = size
    if last_linear:
        layers.append(nn.Linear(width, sizes[-1]))
    return nn.Sequential(*layers)


class _PairModel(nn.Module):
    """Shared gene embedding table plus fixed, standardised node features."""

    def __init__(self, features, sparse):
        super().__init__()
        self.register_buffer("features", standardise(features))
        self.embedding = nn.Embedding(features.shape[0], EMBEDDING_DIM, sparse=sparse)  # N(0, 1) init

    def gene_inputs(self, genes):
        return self.embedding(genes), self.features[genes]


class CrossEncoder(_PairModel):
    """``[e_reg, e_tgt, x_reg, x_tgt, e_reg * e_tgt]`` -> MLP -> one logit."""

    def __init__(self, features, sparse=False):
        super().__init__(features, sparse)
        n_in = 3 * EMBEDDING_DIM + 2 * features.shape[1]
        self.head = nn.Sequential(_mlp(n_in, HIDDEN, last_linear=False), nn.Linear(HIDDEN[-1], 1))

    def forward(self, pairs):
        e_reg, x_reg = self.gene_inputs(pairs[:, 0])
        e_tgt, x_tgt = self.gene_inputs(pairs[:, 1])
        return self.head(torch.cat([e_reg, e_tgt, x_reg, x_tgt, e_reg * e_tgt], dim=1)).squeeze(1)


class TwoTower(_PairModel):
    """Regulator and target towers over ``[e, x]``; logit = dot(u, v) / temperature."""

    def __init__(self, features, sparse=False):
        super().__init__(features, sparse)
        n_in = EMBEDDING_DIM + features.shape[1]
        self.regulator_tower = _mlp(n_in, HIDDEN, last_linear=True)
        self.target_tower = _mlp(n_in, HIDDEN, last_linear=True)

    def forward(self, pairs):
        u = self.regulator_tower(torch.cat(self.gene_inputs(pairs[:, 0]), dim=1))
        v = self.target_tower(torch.cat(self.gene_inputs(pairs[:, 1]), dim=1))
        return (u * v).sum(dim=1) / TEMPERATURE


MODELS = {"cross_encoder": CrossEncoder, "two_tower": TwoTower}


def build(kind, variant, features, seed=0):
    """Model and its optimizers for ``variant`` "dense" or "sparse"."""
    torch.manual_seed(seed)
    model = MODELS[kind](features, sparse=variant == "sparse")
    if variant == "dense":
        return model, [torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)]
    if variant != "sparse":
        raise ValueError(f"variant must be 'dense' or 'sparse'; got {variant!r}")
    rest = [p for name, p in model.named_parameters() if not name.startswith("embedding.")]
    return model, [
        torch.optim.SparseAdam(list(model.embedding.parameters()), lr=LEARNING_RATE),
        torch.optim.Adam(rest, lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY),
    ]


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


def clip_grad_norm(model, max_norm):
    """``clip_grad_norm_``, which does not take sparse gradients; for those the norm is
    that of the coalesced gradient (rows repeated in a batch summed first)."""
    if not model.embedding.sparse:
        nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        return
    model.embedding.weight.grad = model.embedding.weight.grad.coalesce()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    total = torch.linalg.vector_norm(
        torch.stack([torch.linalg.vector_norm(g.values() if g.is_sparse else g) for g in grads])
    )
    factor = torch.clamp(max_norm / (total + 1e-6), max=1.0)  # as clip_grad_norm_ computes it
    for g in grads:
        g.mul_(factor)


def train_epoch(model, optimizers, pairs, labels, epoch):
    """One epoch of shuffled mini-batches; returns the mean batch loss."""
    model.train()
    loss_fn = nn.BCEWithLogitsLoss()
    order = torch.randperm(len(pairs), generator=torch.Generator().manual_seed(epoch))
    total, n_batches = 0.0, 0
    for start in range(0, len(pairs), BATCH_SIZE):
        rows = order[start : start + BATCH_SIZE]
        if len(rows) < 2:  # batch norm needs two samples (grnfast merges such a batch instead)
            continue
        for opt in optimizers:
            opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(pairs[rows]), labels[rows])
        loss.backward()
        clip_grad_norm(model, CLIP_NORM)
        for opt in optimizers:
            opt.step()
        total, n_batches = total + loss.item(), n_batches + 1
    return total / n_batches


def fit_seconds(kind, variant, features, pairs, labels, n_epochs):
    """Wall time of building the model and training ``n_epochs`` (what ``fit`` does)."""
    torch.set_num_threads(N_THREADS)
    pairs_t, labels_t = torch.from_numpy(pairs.astype(np.int64)), torch.from_numpy(labels.astype(np.float32))
    start = time.perf_counter()
    model, optimizers = build(kind, variant, features)
    for epoch in range(n_epochs):
        train_epoch(model, optimizers, pairs_t, labels_t, epoch)
    return time.perf_counter() - start


def epoch_seconds(kind, variant, features, pairs, labels, n_epochs):
    """Durations of epochs 2..n_epochs of one training run (the first warms up)."""
    torch.set_num_threads(N_THREADS)
    pairs_t, labels_t = torch.from_numpy(pairs.astype(np.int64)), torch.from_numpy(labels.astype(np.float32))
    model, optimizers = build(kind, variant, features)
    ends = []
    for epoch in range(n_epochs):
        train_epoch(model, optimizers, pairs_t, labels_t, epoch)
        ends.append(time.perf_counter())
    return list(np.diff(ends))


@torch.inference_mode()
def predict_proba(model, pairs):
    """Probability of an edge for each pair, in chunks, evaluation mode."""
    torch.set_num_threads(N_THREADS)
    model.eval()
    pairs_t = torch.from_numpy(pairs.astype(np.int64))
    return torch.cat([torch.sigmoid(model(pairs_t[i : i + PREDICT_CHUNK])) for i in range(0, len(pairs_t), PREDICT_CHUNK)])
