"""grnfast's architectures written in PyTorch (CPU), the yardstick of the benchmarks.

Same layers, initialisation, loss, clipping and optimizer settings as the
grnfast defaults, so an epoch here does the same work as an epoch there:

- ``"dense"``: ``nn.Embedding`` with dense gradients and one ``Adam`` with L2
  (``weight_decay``) over everything: every embedding row steps every batch,
  like ``embedding_update="dense"``.
- ``"sparse"``: ``nn.Embedding(sparse=True)`` stepped by ``SparseAdam`` (only the
  rows in the batch, no L2 on them) and ``Adam`` with L2 for the rest, the
  counterpart of ``embedding_update="lazy"`` (which also adds L2 to the rows it
  steps; a few hundred rows per batch, negligible work).

With ``graph_dim > 0`` both models also read the known-edge graph encoder's output
per gene (``GraphEncoder``, as ``graph_dim`` in grnfast), over the training
positives split into two folds each epoch as grnfast's trainer does.

With ``EMBEDDING_DROPOUT = p > 0`` (grnfast's ``embedding_dropout``) the models have
a learned unknown-gene row (zeros at first, a dense parameter): in training each
(pair, role) occurrence reads it instead of its gene's row with probability p, and
its graph encoding is that of a gene with no known edges (ReLU of the bias). The
published configuration has p = 0.

With ``feature_interaction=True`` (grnfast's ``feature_interaction``, issue 25) the
two genes' node features meet directly, as in ``csrc/models/feature_skip.hpp`` and
``csrc/models/cross_encoder.hpp``: each tower's output gains ``x W`` (a bias-free
``nn.Linear(F, HIDDEN[-1])``, ``regulator_features`` / ``target_features``, initialised
U(-1/sqrt(F), 1/sqrt(F)) as grnfast's), added to each of the late-interaction model's
vectors before the cosine; the cross-encoder's first layer also reads ``x_reg * x_tgt``,
after ``e_reg * e_tgt`` and before the graph blocks. ``embedding_init="zeros"``
(grnfast's) starts the embedding table at zero. With ``gene_bias=True``
(``csrc/models/gene_bias.hpp``) every logit gains ``b[regulator, 0] + b[target, 1]``,
a zero-initialised (n_genes, 2) parameter.
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
N_VECTORS = 8  # late interaction: vectors per gene and tower, compared by cosine (LateInteractionClassifier's defaults)
LEARNING_RATE = 5e-3
WEIGHT_DECAY = 0.01
CLIP_NORM = 5.0
BATCH_SIZE = 256
PREDICT_CHUNK = 16384
EMBEDDING_DROPOUT = 0.0  # grnfast's embedding_dropout; 0 in the published configuration
# What epoch_seconds reads: wall time, or with N_THREADS = 1 process CPU time
# (time.process_time), which other processes' load barely moves (as ours.CLOCK).
CLOCK = time.perf_counter


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


class KnownEdges:
    """The known edges in CSR both ways (targets and regulators of each gene), and
    the scale of the degrees the encoder reads."""

    def __init__(self, edges, n_genes, degree_scale=1.0):
        edges = np.unique(np.asarray(edges, dtype=np.int64).reshape(-1, 2), axis=0)
        self.degree_scale = degree_scale
        self.n_edges = len(edges)
        self.lists = [self._csr(edges[:, 0], edges[:, 1], n_genes), self._csr(edges[:, 1], edges[:, 0], n_genes)]

    @staticmethod
    def _csr(keys, neighbours, n_genes):
        order = np.lexsort((neighbours, keys))
        return np.r_[0, np.cumsum(np.bincount(keys, minlength=n_genes))], neighbours[order]

    def neighbours(self, genes, direction):
        """(row of each neighbour among `genes`, neighbour, count of the row's gene)."""
        indptr, nbrs = self.lists[direction]
        starts, counts = indptr[genes], indptr[genes + 1] - indptr[genes]
        rows = np.repeat(np.arange(len(genes)), counts)
        at = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(starts, counts)
        return rows, nbrs[at], counts


class GraphEncoder(nn.Module):
    """One GraphSAGE round: ReLU([mean h over v's targets, mean h over v's
    regulators, log1p(scaled counts)] W + b), with h = [embedding, features]."""

    def __init__(self, n_in, graph_dim):
        super().__init__()
        self.linear = nn.Linear(2 * n_in + 2, graph_dim)

    def forward(self, model, genes, graph):
        parts, degrees = [], []
        for direction in (0, 1):
            rows, nbrs, counts = graph.neighbours(genes.numpy(), direction)
            h = torch.cat(model.gene_inputs(torch.from_numpy(nbrs)), dim=1)
            weight = torch.from_numpy(1.0 / counts[rows].astype(np.float32)).unsqueeze(1)
            parts.append(torch.zeros(len(genes), h.shape[1]).index_add_(0, torch.from_numpy(rows), h * weight))
            degrees.append(torch.from_numpy(np.log1p(graph.degree_scale * counts).astype(np.float32)))
        return torch.relu(self.linear(torch.cat(parts + [torch.stack(degrees, dim=1)], dim=1)))


class _PairModel(nn.Module):
    """Shared gene embedding table plus fixed, standardised node features, and the
    known-edge graph encoder when graph_dim > 0 (``graph``: the edges it reads)."""

    def __init__(self, features, sparse, graph_dim, feature_interaction=False, gene_bias=False):
        super().__init__()
        self.gene_bias = nn.Parameter(torch.zeros(features.shape[0], 2)) if gene_bias else None
        self.register_buffer("features", standardise(features))
        self.embedding = nn.Embedding(features.shape[0], EMBEDDING_DIM, sparse=sparse)  # N(0, 1) init
        self.feature_interaction = feature_interaction
        n_gene = EMBEDDING_DIM + features.shape[1]
        self.graph_dim = graph_dim
        self.graph_encoder = GraphEncoder(n_gene, graph_dim) if graph_dim else None
        self.graph = None
        self.unknown = nn.Parameter(torch.zeros(1, EMBEDDING_DIM)) if EMBEDDING_DROPOUT > 0 else None

    def gene_inputs(self, genes, dropped=None):
        """A gene's [embedding, features]; the unknown row where ``dropped``."""
        e = self.embedding(genes)
        if dropped is not None:
            e = torch.where(dropped.unsqueeze(1), self.unknown.expand_as(e), e)
        return e, self.features[genes]

    def bias(self, pairs):
        """Each pair's gene biases (0 without them)."""
        if self.gene_bias is None:
            return 0.0
        return self.gene_bias[pairs[:, 0], 0] + self.gene_bias[pairs[:, 1], 1]

    def dropped(self, n):
        """Which of n occurrences read the unknown row in this training step (None: none)."""
        if self.unknown is None or not self.training:
            return None
        return torch.rand(n) < EMBEDDING_DROPOUT

    def graph_inputs(self, genes, dropped=None):
        """Each gene's graph encoding (computed once per distinct gene), or none; a
        dropped occurrence's is that of a gene with no known edges."""
        if not self.graph_dim:
            return []
        distinct, where = torch.unique(genes, return_inverse=True)
        g = self.graph_encoder(self, distinct, self.graph)[where]
        if dropped is not None:
            g = torch.where(dropped.unsqueeze(1), torch.relu(self.graph_encoder.linear.bias).expand_as(g), g)
        return [g]


class CrossEncoder(_PairModel):
    """``[e_reg, e_tgt, x_reg, x_tgt, e_reg * e_tgt (, x_reg * x_tgt) (, g_reg, g_tgt)]``
    -> MLP -> one logit (grnfast's column order of the first weight matrix)."""

    def __init__(self, features, sparse=False, graph_dim=0, feature_interaction=False, gene_bias=False):
        super().__init__(features, sparse, graph_dim, feature_interaction, gene_bias)
        n_features = features.shape[1]
        n_in = 3 * EMBEDDING_DIM + (3 if feature_interaction else 2) * n_features + 2 * graph_dim
        self.head = nn.Sequential(_mlp(n_in, HIDDEN, last_linear=False), nn.Linear(HIDDEN[-1], 1))

    def forward(self, pairs):
        d_reg, d_tgt = self.dropped(len(pairs)), self.dropped(len(pairs))
        e_reg, x_reg = self.gene_inputs(pairs[:, 0], d_reg)
        e_tgt, x_tgt = self.gene_inputs(pairs[:, 1], d_tgt)
        graph = self.graph_inputs(pairs[:, 0], d_reg) + self.graph_inputs(pairs[:, 1], d_tgt)
        interaction = [x_reg * x_tgt] if self.feature_interaction else []
        first = torch.cat([e_reg, e_tgt, x_reg, x_tgt, e_reg * e_tgt] + interaction + graph, dim=1)
        return self.head(first).squeeze(1) + self.bias(pairs)


class TwoTower(_PairModel):
    """Regulator and target towers over ``[e, x]``; logit = dot(u, v) / temperature.
    With ``feature_interaction`` each tower's output gains ``x W`` (one W per tower,
    F x HIDDEN[-1]; with several vectors the same ``x W`` is added to each)."""

    n_vectors = 1

    def __init__(self, features, sparse=False, graph_dim=0, feature_interaction=False, gene_bias=False):
        super().__init__(features, sparse, graph_dim, feature_interaction, gene_bias)
        n_in = EMBEDDING_DIM + features.shape[1] + graph_dim
        sizes = (*HIDDEN[:-1], self.n_vectors * HIDDEN[-1])
        self.regulator_tower = _mlp(n_in, sizes, last_linear=True)
        self.target_tower = _mlp(n_in, sizes, last_linear=True)
        # bias-free Linear: U(-1/sqrt(F), 1/sqrt(F)) weights, as grnfast's skip
        skip = (lambda: nn.Linear(features.shape[1], HIDDEN[-1], bias=False)) if feature_interaction else lambda: None
        self.regulator_features, self.target_features = skip(), skip()

    def _tower(self, tower, skip, genes, dropped):
        e, x = self.gene_inputs(genes, dropped)
        out = tower(torch.cat([e, x, *self.graph_inputs(genes, dropped)], dim=1))
        if skip is not None:
            out = out + skip(x).repeat(1, self.n_vectors)  # the same x W in each of the gene's vectors
        return out

    def towers(self, pairs):
        return self.rows(pairs[:, 0], pairs[:, 1])

    def forward(self, pairs):
        return self.paired(*self.towers(pairs)) / TEMPERATURE + self.bias(pairs)

    def paired(self, u, v):
        """The similarity of each row of u with the same row of v."""
        return (u * v).sum(dim=1)

    def rows(self, regulators, targets):
        """Tower outputs of two lists of genes (one batch of rows each)."""
        d_reg, d_tgt = self.dropped(len(regulators)), self.dropped(len(targets))
        return (self._tower(self.regulator_tower, self.regulator_features, regulators, d_reg),
                self._tower(self.target_tower, self.target_features, targets, d_tgt))

    def grid(self, u, v, regulators, targets):
        """Logits of every row of u against every row of v, with the gene biases."""
        bias = 0.0 if self.gene_bias is None else self.gene_bias[regulators, 0][:, None] + self.gene_bias[targets, 1]
        return self.similarity(u, v) / TEMPERATURE + bias

    def similarity(self, u, v):
        return u @ v.T


class LateInteraction(TwoTower):
    """The two-tower whose towers end in N_VECTORS vectors of HIDDEN[-1] numbers;
    logit = MaxSim (mean over u's vectors of the best cosine with v's) / temperature."""

    n_vectors = N_VECTORS

    def paired(self, u, v):
        u, v = (nn.functional.normalize(t.view(len(t), N_VECTORS, HIDDEN[-1]), dim=2) for t in (u, v))
        return torch.einsum("bid,bjd->bij", u, v).amax(dim=2).mean(dim=1)

    def similarity(self, u, v):
        u, v = (nn.functional.normalize(t.view(len(t), N_VECTORS, HIDDEN[-1]), dim=2) for t in (u, v))
        return torch.einsum("aid,bjd->abij", u, v).amax(dim=3).mean(dim=2)


MODELS = {"cross_encoder": CrossEncoder, "two_tower": TwoTower, "late_interaction": LateInteraction}


def build(kind, variant, features, seed=0, graph_dim=0, feature_interaction=False, embedding_init="normal",
          gene_bias=False):
    """Model and its optimizers for ``variant`` "dense" or "sparse"."""
    torch.manual_seed(seed)
    model = MODELS[kind](features, sparse=variant == "sparse", graph_dim=graph_dim,
                         feature_interaction=feature_interaction, gene_bias=gene_bias)
    if embedding_init == "zeros":
        nn.init.zeros_(model.embedding.weight)
    elif embedding_init != "normal":
        raise ValueError(f"embedding_init must be 'normal' or 'zeros'; got {embedding_init!r}")
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


def train_epoch(model, optimizers, pairs, labels, epoch, shared=None):
    """One epoch of shuffled mini-batches; returns the mean batch loss. With the graph,
    the pairs fall in two folds (by pair) and each trains against the other fold's
    positives, degrees scaled to the whole graph's. ``shared``: SharedNegatives (no
    graph)."""
    model.train()
    order = torch.randperm(len(pairs), generator=torch.Generator().manual_seed(epoch))
    if not model.graph_dim:
        return _train_rows(model, optimizers, pairs, labels, order, shared)
    if shared is not None:
        raise ValueError("the reference's shared negatives are without the graph (graph_dim=0)")
    n_genes = model.features.shape[0]
    codes = (pairs[:, 0] * n_genes + pairs[:, 1]).numpy()
    distinct, where = np.unique(codes, return_inverse=True)
    fold = np.random.default_rng(epoch).integers(0, 2, len(distinct))[where]
    positives = labels.numpy() == 1
    every = len(np.unique(codes[positives]))
    losses = []
    for f in (0, 1):
        known = pairs.numpy()[positives & (fold != f)]
        model.graph = KnownEdges(known, n_genes)
        model.graph.degree_scale = every / max(model.graph.n_edges, 1)
        losses.append(_train_rows(model, optimizers, pairs, labels, order[torch.from_numpy(fold[order.numpy()] == f)]))
    model.graph = KnownEdges(pairs.numpy()[positives], n_genes)  # prediction reads every known edge
    return float(np.mean(losses))


class SharedNegatives:
    """grnfast's ``shared_negatives=True`` (the two-tower family): each batch of
    ``per_batch`` given pairs draws k regulators (among the training edges') and k
    targets (every gene), and every one of their k x k pairs but self-pairs and
    training edges is a negative; together they weigh ``per_row`` random pairs per
    given pair, and the loss is over the pairs plus those (grnfast's ``shared_grid``)."""

    def __init__(self, pairs, labels, n_genes, ratio):
        positives = pairs[labels == 1]
        self.regulators = torch.unique(positives[:, 0])
        self.n_genes = n_genes
        self.forbidden = torch.unique(positives[:, 0] * n_genes + positives[:, 1])
        self.per_row = ratio * len(positives) / len(pairs)
        self.per_batch = max(2, round(BATCH_SIZE / (1 + self.per_row)))
        self.k = max(1, int(np.ceil(np.sqrt(self.per_row * self.per_batch))))

    def loss(self, model, pairs, labels):
        k = self.k
        regulators = self.regulators[torch.randint(len(self.regulators), (k,))]
        targets = torch.randint(self.n_genes, (k,))
        u, v = model.rows(torch.cat([pairs[:, 0], regulators]), torch.cat([pairs[:, 1], targets]))
        b = len(pairs)
        logits = model.paired(u[:b], v[:b]) / TEMPERATURE + model.bias(pairs)
        grid = model.grid(u[b:], v[b:], regulators, targets)
        free = (regulators[:, None] != targets) & ~torch.isin(regulators[:, None] * self.n_genes + targets,
                                                            self.forbidden)
        negatives = self.per_row * b
        weights = free * (negatives / free.sum().clamp(min=1))
        bce = nn.functional.binary_cross_entropy_with_logits
        return (bce(logits, labels, reduction="sum")
                + (weights * bce(grid, torch.zeros_like(grid), reduction="none")).sum()) / (b + negatives)


def _train_rows(model, optimizers, pairs, labels, order, shared=None):
    loss_fn = nn.BCEWithLogitsLoss()
    total, n_batches = 0.0, 0
    batch_size = shared.per_batch if shared else BATCH_SIZE
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        if len(rows) < 2:  # batch norm needs two samples (grnfast merges such a batch instead)
            continue
        for opt in optimizers:
            opt.zero_grad(set_to_none=True)
        loss = shared.loss(model, pairs[rows], labels[rows]) if shared else loss_fn(model(pairs[rows]), labels[rows])
        loss.backward()
        clip_grad_norm(model, CLIP_NORM)
        for opt in optimizers:
            opt.step()
        total, n_batches = total + loss.item(), n_batches + 1
    return total / max(n_batches, 1)


def with_random_negatives(pairs, labels, n_genes, ratio):
    """The pairs plus ``ratio`` x edges random pairs of label 0 (a training edge's
    regulator x any gene, never a training edge nor a self-pair), drawn afresh."""
    positives = pairs[labels == 1]
    regulators = torch.unique(positives[:, 0])
    forbidden = torch.unique(positives[:, 0] * n_genes + positives[:, 1])
    n = int(round(ratio * len(positives)))
    drawn = torch.stack([regulators[torch.randint(len(regulators), (2 * n,))], torch.randint(n_genes, (2 * n,))], 1)
    drawn = drawn[(drawn[:, 0] != drawn[:, 1]) & ~torch.isin(drawn[:, 0] * n_genes + drawn[:, 1], forbidden)][:n]
    return torch.cat([pairs, drawn]), torch.cat([labels, torch.zeros(len(drawn))])


def fit_seconds(kind, variant, features, pairs, labels, n_epochs, graph_dim=0, random_negatives=0.0, shared=False,
                **options):
    """Wall time of building the model and training ``n_epochs`` (what ``fit`` does);
    ``options``: ``build``'s ``feature_interaction`` and ``embedding_init``;
    ``random_negatives``: that many random negatives per training edge each epoch,
    each a pair of its own or, with ``shared``, shared by each batch (SharedNegatives)."""
    torch.set_num_threads(N_THREADS)
    pairs_t, labels_t = torch.from_numpy(pairs.astype(np.int64)), torch.from_numpy(labels.astype(np.float32))
    start = time.perf_counter()
    model, optimizers = build(kind, variant, features, graph_dim=graph_dim, **options)
    n_genes = features.shape[0]
    grid = SharedNegatives(pairs_t, labels_t, n_genes, random_negatives) if random_negatives and shared else None
    for epoch in range(n_epochs):
        if random_negatives and not shared:
            train_epoch(model, optimizers, *with_random_negatives(pairs_t, labels_t, n_genes, random_negatives), epoch)
        else:
            train_epoch(model, optimizers, pairs_t, labels_t, epoch, grid)
    return time.perf_counter() - start


def epoch_seconds(kind, variant, features, pairs, labels, n_epochs, graph_dim=0, **options):
    """Durations of epochs 2..n_epochs of one training run (the first warms up);
    ``options`` as for ``fit_seconds``."""
    torch.set_num_threads(N_THREADS)
    pairs_t, labels_t = torch.from_numpy(pairs.astype(np.int64)), torch.from_numpy(labels.astype(np.float32))
    model, optimizers = build(kind, variant, features, graph_dim=graph_dim, **options)
    ends = []
    for epoch in range(n_epochs):
        train_epoch(model, optimizers, pairs_t, labels_t, epoch)
        ends.append(CLOCK())
    return list(np.diff(ends))


@torch.inference_mode()
def predict_proba(model, pairs):
    """Probability of an edge for each pair, in chunks, evaluation mode."""
    torch.set_num_threads(N_THREADS)
    model.eval()
    pairs_t = torch.from_numpy(pairs.astype(np.int64))
    return torch.cat([torch.sigmoid(model(pairs_t[i : i + PREDICT_CHUNK])) for i in range(0, len(pairs_t), PREDICT_CHUNK)])
