"""Parameter documentation shared by both estimators (one place to keep it right)."""

COMMON_PARAMETERS = """
    The defaults were chosen on validation pairs of the BEELINE benchmarks
    (docs/results.md); ``**grnfast.models.PUBLISHED_PARAMS`` gives the published
    configuration.

    node_features : DataFrame or array-like of shape (n_genes, n_features), default=None
        Per-gene inputs, e.g. mean expression per cell type. A DataFrame indexed by
        gene name defines the gene table (``X`` may then name genes); an array is
        indexed by row number. ``None``: embeddings only, with the gene table taken
        from ``X`` at fit time. Features are standardised per column at fit.
        Prediction reads the parameter as it is then: new values for the fit's
        genes (same names, order and columns) are used, standardised as at fit.
    embedding_dim : int, default=64
        Size of the learned embedding of every gene.
    hidden_layer_sizes : tuple of int, default=(256, 128, 64)
        Fully connected layers, each with batch norm, ReLU and dropout.
    dropout : float, default=0.2
        Dropout probability after every hidden layer.
    batch_norm : bool, default=True
        Batch normalisation after every hidden layer.
    use_embeddings : bool, default=True
        Learn a per-gene embedding. ``False`` (ablation) uses node features only.
    use_expression : bool, default=True
        Feed ``node_features`` to the model. ``False`` (ablation) ignores them.
    graph_dim : int, default=64
        Width of the known-edge graph encoder's output; ``0`` switches it off. The
        encoder reads, for each gene, the mean inputs of its known targets and of its
        known regulators plus the log of their counts, where the known
        edges are the training positives (never validation or test pairs), and both
        models read its output beside the gene's embedding and features. In training,
        each epoch splits the pairs into two folds and scores each fold against the
        other fold's edges, so no pair sees its own edge; prediction reads all of
        them (``graph_edges_``).
    embedding_dropout : float, default=0.0
        Share of training occurrences that read the learned unknown-gene row instead
        of their gene's own embedding row: each (pair, role) occurrence is dropped
        with this probability, drawn afresh every epoch (keyed by ``random_state``,
        the epoch, the pair and the role, so results do not depend on ``n_jobs``), and
        a dropped occurrence is scored as a gene the model never saw: the unknown row,
        the gene's own node features, and no known edges in the graph encoder. At
        prediction, a gene that no training pair has (``seen_genes_``) reads the
        unknown row, in every scoring path (``predict_proba``,
        ``grnfast.scoring.rank_edges``, ``network_``), so its score comes from its
        node features; a gene training saw, in either role, reads its own row in
        both (a TF the training pairs have only as a target included). ``0``: no unknown row
        (the published configuration), every gene through its own row, trained or not.
    feature_interaction : bool, default=False
        Let the two genes' node features meet directly, beside the hidden layers:
        the two-tower and late-interaction towers add a linear map of the gene's
        features to their output (the same to each vector), so the score holds a
        learned bilinear form of the two feature rows; the cross-encoder's first
        layer reads the product of the two feature rows as it reads the product of
        the embeddings. What lets a model rank pairs by expression where identity
        says nothing (a gene without training pairs; docs/evaluation.md, issue 25's
        feature-only task). No effect without node features.
    gene_bias : bool, default=False
        Add a learned propensity per gene and role to the logit: b_regulator +
        b_target, what the gene-identity baseline (logistic regression on one-hot
        regulator and target) learns, so the model contains that baseline. A gene
        without training pairs in a role has none (0) in that role.
    embedding_init : {"normal", "zeros"}, default="normal"
        Initial gene embeddings: N(0, 1) rows (PyTorch's ``nn.Embedding``), or zeros,
        so a gene starts with no identity and gains one only from its training
        pairs: a gene no training pair has keeps the zero row and is scored from its
        features and the known-edge graph, not from a random identity.
    alpha : float, default=1e-5
        L2 strength, added to the gradient as in ``torch.optim.Adam(weight_decay=alpha)``,
        or decoupled weight decay with ``weight_decay="decoupled"``.
    weight_decay : {"l2", "decoupled"}, default="l2"
        How ``alpha`` acts: L2 in the gradient (the published setting) or AdamW-style.
    learning_rate_init : float, default=1e-3
        Adam's learning rate.
    batch_size : int, default=256
        Pairs per mini-batch.
    max_iter : int, default=40
        Maximum number of epochs.
    clip_norm : float or None, default=5.0
        Global gradient-norm threshold; ``None`` disables clipping.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the pairs (stratified), stop when the
        validation AUROC has not improved for ``n_iter_no_change`` epochs, and keep
        the best weights. With ``False``, training stops when the training loss
        stalls for that many epochs.
    validation_fraction : float, default=0.1
        Share of the pairs held out for early stopping.
    n_iter_no_change : int, default=5
        Patience, in epochs.
    tol : float, default=1e-4
        Minimum improvement of the monitored score that resets the patience.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss; the gradient at each logit is
        ``weight * (p - y) / batch_size``. With random negatives, the weights are
        computed over each epoch's pairs, the draws included.
    random_negative_ratio : float, default=10.0
        Random pairs added per training edge as negatives, drawn as the model will
        be used: a regulator of a training edge x any gene of the table, never a
        training edge nor a self-pair, drawn afresh every epoch (keyed by
        ``random_state`` and the epoch). The validation pairs (``eval_set`` or the
        automatic split) get the same ratio once, never one of their edges.
        Published splits give every regulator as many negatives as edges, so nothing
        in training rewards knowing how many targets a regulator has, while ranking
        any pair rewards exactly that. ``0`` trains on the given pairs only.
    negative_regulators : {None, "all"} or array-like of genes, default=None
        Where the random negatives' regulators come from. ``None``: the regulators
        of training edges only. A list of gene names (or row indices), e.g. the
        transcription factors that will be scored, or ``"all"`` (every gene): those
        too, so regulators with no known edge appear in training as genome-wide
        scoring meets them. On GENELink's Non-Specific splits a third of the test
        negatives have such a regulator (docs/evaluation.md); the degree baseline
        ranks them last, and a model trained with ``None`` never sees one. The
        commands (``grnfast infer``, ``evaluate``) and the results page's runs pass
        the data set's TF list (:func:`grnfast.models.presets.with_tf_list`).
    negative_targets : None or array-like of genes, default=None
        Where the random negatives' targets come from. ``None``: every gene of the
        table. A list of gene names (or row indices): only those, e.g. to keep
        genes held out of training in every role (the ``cold-genes`` protocol)
        out of the random negatives too, which would otherwise teach that a gene
        without a training edge is nobody's target.
    embedding_update : {"dense", "lazy"}, default="dense"
        ``"dense"``: every embedding row takes every Adam step (exact semantics of a
        dense optimizer with L2). ``"lazy"``: only the rows in the batch step, much
        faster for large gene tables (like ``torch.optim.SparseAdam``, plus L2).
    warm_start : bool, default=False
        Start ``fit`` from the current weights (same gene table and architecture),
        e.g. to fine-tune a pruned model; Adam's moments start afresh.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, the validation split, shuffling and dropout.
    n_jobs : int or None, default=None
        OpenMP threads; ``None`` uses ``OMP_NUM_THREADS`` if set, else all cores;
        negative values count back from all cores. Results do not depend on it.
    verbose : int, default=0
        Print one line per epoch (training loss, validation AUROC, time).
"""

SHARED_NEGATIVES = """    shared_negatives : bool, default=False
        How the random negatives (``random_negative_ratio``) are formed. ``False``:
        each is a pair of its own, drawn as described there, and costs both towers
        once. ``True``: each batch draws ``k`` regulators of training edges and
        ``k`` targets from the same candidates, every one of their ``k x k`` pairs
        is a negative (except self-pairs and training edges), and together they
        weigh what the batch's share of separate random pairs would (``k`` is about
        the square root of that share); each batch then holds correspondingly
        fewer given pairs, so an epoch takes as many steps. A gene's tower output
        serves all ``k`` of its pairs, so an epoch runs the towers on a fraction of
        the rows. Candidate regulators without a training edge (from
        ``negative_regulators``) keep their share as separate pairs. The negatives
        keep the same distribution over pairs but are fewer distinct genes per
        epoch.
"""

FITTED_ATTRIBUTES = """
    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels; ``classes_[1]`` is an edge.
    genes_ : ndarray of str or None
        Gene names of the gene table (``None`` for index-only inputs).
    n_genes_ : int
        Size of the gene table.
    n_node_features_ : int
        Node features the model reads (0 without expression).
    n_parameters_ : int
        Trainable parameters.
    seen_genes_ : ndarray of bool, shape (n_genes_, 2)
        Which genes have an identity as regulators (column 0) and as targets
        (column 1): those the training pairs have, in either role (one embedding
        row serves both roles), after the automatic validation split and before
        random negatives. With ``embedding_dropout > 0``, a gene is scored through
        the unknown-gene row in a role where its flag is False (a model pickled
        when the flags were per role keeps its flags, and so its scores).
    graph_edges_ : ndarray of shape (n_edges, 2) or None
        The known edges the graph encoder reads (distinct training positives, as
        gene-table rows); ``None`` when ``graph_dim=0``.
    params_, buffers_ : ndarray of float32
        Flat parameters and batch-norm running statistics; see ``named_parameters()``.
    network_ : FittedNetwork
        The fitted network (spec, weights, node features, gene table) with its
        scoring methods: ``predict_logits``, ``score_blocks``, ``tower_outputs``,
        ``layer_outputs``, ``pruned``. It reads the ``node_features`` parameter
        as it is at the time (standardised with the fit's mean and scale).
    n_iter_ : int
        Epochs run.
    loss_curve_ : list of float
        Mean training loss per epoch.
    validation_scores_ : list of float or None
        Validation AUROC per epoch (with early stopping or ``eval_set``).
    best_validation_score_ : float or None
        Best validation AUROC; its weights are the ones kept.
"""
