// Training over a whole data set: epochs of shuffled mini-batches, loss, backward,
// per-gene embedding gradients, and the fused clip + Adam step.
#pragma once
#include <functional>
#include <memory>
#include <stdexcept>

#include "engine/networks.hpp"
#include "kernels/embedding.hpp"
#include "kernels/graph.hpp"
#include "kernels/loss.hpp"
#include "kernels/optimizer.hpp"
#include "kernels/random.hpp"

namespace grnfast {

// The scratch space of one batch, allocated once for the largest batch. A batch
// with shared negatives has `grid` more genes per role (rows = batch + grid ids per
// role) and grid x grid more logits.
template <class T>
struct BatchScratch {
    std::vector<index_t> ids;  // regulators then targets
    std::vector<index_t> sample_ids;
    std::vector<T> y, weights, logits, dlogits, emb_rows, emb_grad_rows, feat_rows;
    EmbeddingGradPlan plan;

    void reserve(index_t max_batch, index_t emb_dim, index_t n_features, index_t grid = 0) {
        const char* what = "a batch's scratch space";
        const index_t rows = max_batch + grid;
        grow_to(ids, 2 * rows, what);
        grow_to(sample_ids, rows, what);
        for (auto* v : {&y, &weights, &logits, &dlogits}) grow_to(*v, max_batch + grid * grid, what);
        grow_to(emb_rows, 2 * rows * emb_dim, "a batch's embedding gradients");
        grow_to(emb_grad_rows, 2 * rows * emb_dim, "a batch's embedding gradients");
        grow_to(feat_rows, 2 * rows * n_features, what);
    }
    // The batch's pairs; their targets' ids start at ids[rows] (default: batch).
    void load(const index_t* pairs, const T* labels, const T* sample_weights, const index_t* rows, index_t batch,
              index_t per_role = 0) {
        const index_t target_start = per_role > 0 ? per_role : batch;
        for (index_t r = 0; r < batch; ++r) {
            const index_t s = rows ? rows[r] : r;
            ids[static_cast<size_t>(r)] = pairs[2 * s];
            ids[static_cast<size_t>(target_start + r)] = pairs[2 * s + 1];
            sample_ids[static_cast<size_t>(r)] = s;
            if (labels) y[static_cast<size_t>(r)] = labels[s];
            weights[static_cast<size_t>(r)] = sample_weights ? sample_weights[s] : T(1);
        }
    }
    const index_t* reg() const { return ids.data(); }
    const index_t* tgt(index_t batch) const { return ids.data() + batch; }

    // Appends a grid of shared negatives to a loaded batch of `batch` pairs: k
    // regulators and k targets (the ids after the pairs' in each role, sample ids
    // first_sample...), label 0 and cell_weights (k x k, row-major) on the grid's cells.
    void add_grid(const index_t* regulators, const index_t* targets, index_t k, const T* cell_weights, index_t batch,
                  index_t first_sample) {
        const index_t rows = batch + k;
        for (index_t i = 0; i < k; ++i) {
            ids[static_cast<size_t>(batch + i)] = regulators[i];
            ids[static_cast<size_t>(rows + batch + i)] = targets[i];
            sample_ids[static_cast<size_t>(batch + i)] = first_sample + i;
        }
        std::fill(y.begin() + batch, y.begin() + batch + k * k, T(0));
        std::copy(cell_weights, cell_weights + k * k, weights.begin() + batch);
    }

    // After backward: the graph encoder's row gradients appended after the batch's
    // 2 batch rows (ids, embedding rows, and feature rows when asked), so the per-gene
    // sums take them in. Returns the number of rows.
    index_t append_graph_rows(const std::vector<GeneRowGradients<T>>& lists, index_t batch, index_t E, index_t F,
                              bool features) {
        index_t n = 2 * batch;
        for (const GeneRowGradients<T>& g : lists) n += g.n;
        grow_to(ids, n);
        grow_to(emb_rows, n * E);
        grow_to(emb_grad_rows, n * E);
        if (features) grow_to(feat_rows, n * F);
        index_t at = 2 * batch;
        for (const GeneRowGradients<T>& g : lists)
            for (index_t i = 0; i < g.n; ++i, ++at) {
                const T* row = g.rows + i * g.width;
                ids[static_cast<size_t>(at)] = g.genes[i];
                std::copy(row, row + E, emb_rows.begin() + at * E);
                if (features) std::copy(row + E, row + E + F, feat_rows.begin() + at * F);
            }
        return n;
    }
};

// The key of embedding dropout's draws in one epoch (no draws when the model has no
// unknown-gene row).
inline DropoutKey identity_key(const ModelSpec& spec, std::uint64_t seed, std::uint64_t epoch) {
    return {seed, epoch, kIdentityStream, spec.unknown_row() ? DropoutKey::threshold_for(spec.embedding_dropout) : 0u};
}

// Embedding dropout on a loaded batch: the occurrences it drops, and those of genes
// training never saw, read the unknown-gene row (drop_identities). Nothing without the row.
template <class T>
void drop_batch_identities(const ModelSpec& spec, BatchScratch<T>& s, index_t batch, const SeenGenes& seen,
                           std::uint64_t seed, std::uint64_t epoch) {
    if (!spec.unknown_row()) return;
    drop_identities(s.ids.data(), batch, s.sample_ids.data(), spec.n_genes, seen.mask(),
                    identity_key(spec, seed, epoch));
}

// A batch's shared negatives as the gradient tests give them: k regulators, k
// targets, each grid cell's weight (0: masked), and what the loss is divided by.
template <class T>
struct GridNegatives {
    const index_t* regulators = nullptr;
    const index_t* targets = nullptr;
    index_t k = 0;
    const T* cell_weights = nullptr;
    double denominator = 0;
};

// The batch's forward pass, loss and backward pass, into s (logits, dlogits, emb_rows
// and, when feat_rows, feat_rows), with a grid of shared negatives when k > 0 (the
// grid already in s, add_grid). Returns the loss: the weighted cross-entropy summed
// over the pairs and the grid, over `denominator` (default: the batch).
template <class T>
double forward_loss_backward(Network<T>& net, BatchScratch<T>& s, const T* params, T* buffers, const T* features,
                             index_t batch, index_t k, double denominator, const DropoutContext& ctx, T* grads,
                             bool feat_rows, int n_threads) {
    const index_t rows = batch + k;
    T* frows = feat_rows ? s.feat_rows.data() : nullptr;
    if (k > 0)
        net.forward_grid_pairs(params, buffers, features, s.reg(), s.tgt(rows), rows, batch, true, ctx,
                               s.logits.data(), n_threads);
    else
        net.forward_pairs(params, buffers, features, s.reg(), s.tgt(batch), batch, true, ctx, s.logits.data(),
                          n_threads);
    const index_t n_logits = batch + k * k;
    const double loss = bce_with_logits(n_logits, s.logits.data(), s.y.data(), s.weights.data(), s.dlogits.data(),
                                        denominator > 0 ? denominator : double(batch));
    if (k > 0)
        net.backward_grid_pairs(params, s.dlogits.data(), rows, batch, grads, s.emb_rows.data(), frows, n_threads);
    else
        net.backward_pairs(params, s.dlogits.data(), batch, grads, s.emb_rows.data(), frows, n_threads);
    return loss;
}

// Loss and full gradient on one batch, training mode (the gradient tests' entry
// point). buffers are updated as in training. grad: n_params; feat_grad:
// n_genes x n_features or null; seen: the genes training saw in each role
// ((n_genes x 2) flags, SeenGenes; null: all); grid: shared negatives (two-tower
// family), their sample ids following the batch's.
// Embedding dropout draws as in training, keyed by (seed, epoch, row of the batch).
template <class T>
double loss_and_gradient(Network<T>& net, const T* params, T* buffers, const T* features, const index_t* pairs,
                         const T* labels, const T* sample_weights, index_t batch, std::uint64_t seed,
                         std::uint64_t epoch, T* grad, T* feat_grad, int n_threads,
                         const std::uint8_t* seen_genes = nullptr, const GridNegatives<T>& grid = {}) {
    const ModelSpec& spec = net.spec();
    check_pairs(pairs, batch, spec.n_genes);
    const index_t k = grid.k, rows = batch + k;
    if (k > 0) {
        require(net.scores_grids(), "this model cannot share a batch's negatives (only the two-tower family can)");
        check_genes(grid.regulators, k, spec.n_genes);
        check_genes(grid.targets, k, spec.n_genes);
    }
    BatchScratch<T> s;
    net.reserve(rows);
    s.reserve(batch, spec.use_embeddings ? spec.embedding_dim : 0, spec.n_features, k);
    s.load(pairs, labels, sample_weights, nullptr, batch, rows);
    if (k > 0) s.add_grid(grid.regulators, grid.targets, k, grid.cell_weights, batch, batch);
    drop_batch_identities(spec, s, rows, SeenGenes(spec, seen_genes), seed, epoch);
    DropoutContext ctx{seed, epoch, s.sample_ids.data()};
    std::fill(grad, grad + net.layout().n_params, T(0));
    const double loss = forward_loss_backward(net, s, params, buffers, features, batch, k, grid.denominator, ctx, grad,
                                              feat_grad != nullptr, n_threads);
    const index_t E = spec.use_embeddings ? spec.embedding_dim : 0, F = spec.feature_block() ? spec.n_features : 0;
    const index_t n_rows = s.append_graph_rows(net.graph_gradients(), rows, E, F, feat_grad != nullptr);
    // Each row's model id (the batch's occurrences, then the genes the graph encoder
    // read) as the embedding row it reads (the unknown row for a dropped identity),
    // and as the node-feature row (the gene's own).
    std::vector<index_t> rows_of(s.ids.begin(), s.ids.begin() + n_rows);
    if (spec.use_embeddings) {
        for (index_t& id : rows_of) id = spec.embedding_row(id);
        s.plan.build(rows_of.data(), n_rows);
        embedding_reduce(s.plan, E, s.emb_rows.data(), s.emb_grad_rows.data(), n_threads);
        for (index_t u = 0; u < s.plan.size(); ++u)
            std::copy(s.emb_grad_rows.data() + u * E, s.emb_grad_rows.data() + (u + 1) * E,
                      grad + s.plan.unique_ids[static_cast<size_t>(u)] * E);
    }
    if (feat_grad) {
        std::fill(feat_grad, feat_grad + spec.n_genes * spec.n_features, T(0));
        if (spec.feature_block()) {
            for (index_t k = 0; k < n_rows; ++k) rows_of[static_cast<size_t>(k)] = spec.feature_row(s.ids[static_cast<size_t>(k)]);
            EmbeddingGradPlan plan;
            plan.build(rows_of.data(), n_rows);
            std::vector<T> rows(static_cast<size_t>(plan.size() * F));
            embedding_reduce(plan, F, s.feat_rows.data(), rows.data(), n_threads);
            for (index_t u = 0; u < plan.size(); ++u)
                std::copy(rows.data() + u * F, rows.data() + (u + 1) * F,
                          feat_grad + plan.unique_ids[static_cast<size_t>(u)] * F);
        }
    }
    return loss;
}

constexpr std::uint64_t kSharedRegulatorStream = 0x5348524547ULL;  // "SHREG"
constexpr std::uint64_t kSharedTargetStream = 0x5348544754ULL;     // "SHTGT"

// Random negatives a batch shares (the two-tower family): k regulators and k targets
// drawn for each batch among the candidates, and every one of their k x k pairs a
// negative except self-pairs and the forbidden (known) edges. Together they weigh as
// much as per_row random pairs per pair of the batch drawn one by one would (times
// the negative class's weight), at the tower cost of 2k genes instead of 2 per pair.
struct SharedNegatives {
    std::vector<index_t> regulators, targets;  // the candidates
    std::vector<std::int64_t> forbidden;       // sorted codes regulator * n_genes + target
    index_t k = 0;                             // 0: none
    double per_row = 0, weight = 1;
};

// Owns the parameters, running statistics and Adam state while a model trains.
template <class T>
class Trainer {
   public:
    Trainer(const ModelSpec& spec, const AdamConfig& adam, index_t batch_size, int n_threads)
        : net_(make_network<T>(spec)), adam_(adam), batch_size_(batch_size), n_threads_(std::max(1, n_threads)) {
        require(batch_size >= 2, "batch_size must be at least 2 (batch norm needs two samples)");
        require(adam.learning_rate > 0, "learning_rate_init must be positive");
        const Layout& L = net_->layout();
        for (auto* v : {&params_, &m_, &v_}) resize_buffer(*v, L.n_params, "the parameters and Adam's moments");
        // Training writes only the gradient after the embedding table (the table's
        // gradient travels as rows, scratch_.emb_rows): that part is allocated for the
        // layout's offsets but left unwritten, so its pages are never touched (20 MB
        // of resident memory at the published size).
        check_allocation(L.n_params, sizeof(T), "the gradient");
        grads_.reset(new T[params_.size()]);
        std::fill(grads_.get() + net_->embedding_size(), grads_.get() + params_.size(), T(0));
        resize_buffer(buffers_, L.n_buffers, "the running statistics");
        resize_buffer(slot_of_, spec.embedding_rows(), "a slot per embedding row");
        std::fill(slot_of_.begin(), slot_of_.end(), index_t(-1));
    }

    // The known edges (n_edges x 2, regulator -> target) a model with graph_dim > 0
    // reads: the training positives. Prediction reads all of them; see train_epoch.
    void set_graph(const index_t* edges, index_t n_edges) {
        graph_ = EdgeGraph(net_->spec().n_genes, edges, n_edges);
        net_->set_graph(&graph_);
    }

    // Shared random negatives for every batch from now on (SharedNegatives); k = 0 for none.
    void set_shared_negatives(SharedNegatives shared) {
        const ModelSpec& spec = net_->spec();
        if (shared.k > 0) {
            require(net_->scores_grids(), "this model cannot share a batch's negatives (only the two-tower family can)");
            require(!shared.regulators.empty() && !shared.targets.empty(),
                    "shared negatives need at least one candidate regulator and one candidate target");
            check_genes(shared.regulators.data(), static_cast<index_t>(shared.regulators.size()), spec.n_genes);
            check_genes(shared.targets.data(), static_cast<index_t>(shared.targets.size()), spec.n_genes);
            require(shared.per_row >= 0 && shared.weight >= 0, "shared negatives' weights must not be negative");
            std::sort(shared.forbidden.begin(), shared.forbidden.end());
        }
        shared_ = std::move(shared);
        reserved_ = 0;  // the next epoch sizes its buffers for the grid
    }

    // The genes training saw ((n_genes x 2) flags, as regulator and as target): with
    // the unknown-gene row, a gene in a role it was not seen in reads the row, in
    // training (every such occurrence) and in predict_logits.
    void set_seen_genes(const std::uint8_t* seen) { seen_ = SeenGenes(net_->spec(), seen); }

    // Logits of n pairs from the current weights in evaluation mode (validation).
    void predict_logits(const T* features, const index_t* pairs, index_t n, T* logits) const {
        check_pairs(pairs, n, net_->spec().n_genes);
        std::vector<index_t> ids;
        net_->predict_pairs(params_.data(), buffers_.data(), features, seen_.pair_ids(pairs, n, ids), n, logits,
                            n_threads_);
    }

    const Network<T>& network() const { return *net_; }
    Network<T>& network() { return *net_; }
    std::vector<T>& params() { return params_; }
    std::vector<T>& buffers() { return buffers_; }
    std::int64_t steps() const { return step_; }
    void set_threads(int n_threads) { n_threads_ = std::max(1, n_threads); }

    // One pass over the n training pairs in an order drawn from (seed, epoch).
    // `interrupted` is asked between batches; when it says yes the epoch stops and
    // the function returns NaN. Returns the mean training loss.
    //
    // A model that reads the known-edge graph must never score a pair against a
    // graph that holds the pair's own edge: it would learn "this edge is known",
    // which no new edge is. So each epoch splits the pairs into two folds by
    // pair_fold, and each fold trains against the graph of the other fold's edges,
    // degrees scaled to estimate the whole graph's. Every pair of a gene then sees
    // the same graph, whatever its label. (A fold of one pair cannot form a batch
    // and sits the epoch out.)
    double train_epoch(const T* features, const index_t* pairs, const T* labels, const T* sample_weights, index_t n,
                       std::uint64_t seed, std::uint64_t epoch, const std::function<bool()>& interrupted) {
        require(n >= 2, "training needs at least 2 samples");
        const ModelSpec& spec = net_->spec();
        check_pairs(pairs, n, spec.n_genes);
        // Work buffers for the largest batch of this data set: batch_size pairs, one
        // more when a final batch of one sample joins the batch before it, and never
        // more than n (a batch_size beyond the data set costs nothing).
        reserve(std::min(n, batch_size_ + 1));
        epoch_permutation(seed, epoch, n, order_);
        grid_sample_ = n;  // the grids' genes take sample ids after the epoch's pairs
        if (!spec.graph_block())
            return run_batches(features, pairs, labels, sample_weights, order_.data(), n, seed, epoch, interrupted) /
                   double(n);
        require(graph_.n_genes == spec.n_genes, "the model reads the known-edge graph; give the trainer one first");
        double loss_sum = 0.0;
        index_t trained = 0;
        for (int f = 0; f < 2; ++f) {
            fold_rows_.clear();
            for (index_t r : order_)
                if (pair_fold(seed, epoch, pairs[2 * r], pairs[2 * r + 1], spec.n_genes) == f) fold_rows_.push_back(r);
            fold_edges_.clear();
            for (index_t v = 0; v < spec.n_genes; ++v)
                for (index_t k = graph_.tgt_start[v]; k < graph_.tgt_start[v + 1]; ++k)
                    if (pair_fold(seed, epoch, v, graph_.tgt[k], spec.n_genes) != f) {
                        fold_edges_.push_back(v);
                        fold_edges_.push_back(graph_.tgt[k]);
                    }
            const index_t n_fold = static_cast<index_t>(fold_rows_.size());
            const index_t n_edges = static_cast<index_t>(fold_edges_.size() / 2);
            fold_graph_ = EdgeGraph(spec.n_genes, fold_edges_.data(), n_edges);
            net_->set_graph(&fold_graph_, n_edges > 0 ? double(graph_.n_edges()) / double(n_edges) : 1.0);
            net_->cache_neighbour_features(features, n_threads_);  // the features are constant in a fit
            const double fold_loss =
                n_fold >= 2 ? run_batches(features, pairs, labels, sample_weights, fold_rows_.data(), n_fold, seed,
                                          epoch, interrupted)
                            : 0.0;
            net_->set_graph(&graph_);
            if (std::isnan(fold_loss)) return fold_loss;
            if (n_fold >= 2) {
                loss_sum += fold_loss;
                trained += n_fold;
            }
        }
        return loss_sum / double(std::max<index_t>(trained, 1));
    }

   private:
    // Mini-batches over rows[0, n) in that order; returns the loss summed over them
    // (NaN when interrupted).
    double run_batches(const T* features, const index_t* pairs, const T* labels, const T* sample_weights,
                       const index_t* rows, index_t n, std::uint64_t seed, std::uint64_t epoch,
                       const std::function<bool()>& interrupted) {
        index_t n_batches = ceil_div(n, batch_size_);
        if (n % batch_size_ == 1 && n_batches > 1) --n_batches;
        double loss_sum = 0.0;
        for (index_t k = 0; k < n_batches; ++k) {
            if (interrupted && interrupted()) return std::nan("");
            const index_t start = k * batch_size_;
            const index_t end = k + 1 == n_batches ? n : start + batch_size_;
            loss_sum += step(features, pairs, labels, sample_weights, rows + start, end - start, seed, epoch) *
                        double(end - start);
        }
        return loss_sum;
    }

    void reserve(index_t max_batch) {
        if (max_batch <= reserved_) return;
        const ModelSpec& spec = net_->spec();
        net_->reserve(max_batch + shared_.k);
        scratch_.reserve(max_batch, spec.use_embeddings ? spec.embedding_dim : 0, 0, shared_.k);
        resize_buffer(grid_genes_, 2 * shared_.k, "the shared negatives");
        resize_buffer(grid_weights_, shared_.k * shared_.k, "the shared negatives");
        reserved_ = max_batch;
    }

    double step(const T* features, const index_t* pairs, const T* labels, const T* sample_weights, const index_t* rows,
                index_t batch, std::uint64_t seed, std::uint64_t epoch) {
        const ModelSpec& spec = net_->spec();
        BatchScratch<T>& s = scratch_;
        const index_t g = shared_.k, n_rows = batch + g;
        s.load(pairs, labels, sample_weights, rows, batch, n_rows);
        double denominator = double(batch);
        if (g > 0) {
            denominator = draw_grid(batch, seed, epoch);
            s.add_grid(grid_genes_.data(), grid_genes_.data() + g, g, grid_weights_.data(), batch, grid_sample_);
            grid_sample_ += g;
        }
        drop_batch_identities(spec, s, n_rows, seen_, seed, epoch);
        DropoutContext ctx{seed, epoch, s.sample_ids.data()};
        const double loss = forward_loss_backward(*net_, s, params_.data(), buffers_.data(), features, batch, g,
                                                  denominator, ctx, grads_.get(), false, n_threads_);

        const index_t E = spec.embedding_dim;
        const index_t n_emb = net_->embedding_size();
        const index_t n_dense = static_cast<index_t>(params_.size()) - n_emb;
        double sq = sum_of_squares(grads_.get() + n_emb, n_dense, n_threads_);
        if (spec.use_embeddings) {
            const index_t n_grad_rows = s.append_graph_rows(net_->graph_gradients(), n_rows, E, 0, false);
            if (spec.unknown_row())  // a dropped occurrence's gradient goes to the unknown row
                for (index_t r = 0; r < 2 * n_rows; ++r)
                    s.ids[static_cast<size_t>(r)] = spec.embedding_row(s.ids[static_cast<size_t>(r)]);
            s.plan.build(s.ids.data(), n_grad_rows);
            embedding_reduce(s.plan, E, s.emb_rows.data(), s.emb_grad_rows.data(), n_threads_);
            sq += sum_of_squares(s.emb_grad_rows.data(), s.plan.size() * E, n_threads_);
        }
        ++step_;
        const AdamStepConstants k = adam_constants(adam_, step_, clip_scale(std::sqrt(sq), adam_.clip_norm));
        adam_dense(params_.data() + n_emb, m_.data() + n_emb, v_.data() + n_emb, grads_.get() + n_emb, n_dense, adam_,
                   k, n_threads_);
        if (spec.use_embeddings)
            adam_embeddings(params_.data(), m_.data(), v_.data(), spec.embedding_rows(), E, s.plan, s.emb_grad_rows.data(),
                            slot_of_, adam_, k, n_threads_);
        return loss;
    }

    // The next batch's grid (shared_): k regulators then k targets into grid_genes_,
    // each cell's weight into grid_weights_, keyed by the grid genes' sample ids.
    // Returns the batch's loss denominator: its pairs plus the random pairs the grid
    // stands for.
    double draw_grid(index_t batch, std::uint64_t seed, std::uint64_t epoch) {
        const index_t k = shared_.k, G = net_->spec().n_genes;
        const auto pick = [&](const std::vector<index_t>& from, std::uint64_t stream, index_t i) {
            const auto bits = counter_key(seed, epoch, stream, static_cast<std::uint64_t>(grid_sample_ + i));
            return from[static_cast<size_t>(bounded(bits, from.size()))];
        };
        for (index_t i = 0; i < k; ++i) {
            grid_genes_[static_cast<size_t>(i)] = pick(shared_.regulators, kSharedRegulatorStream, i);
            grid_genes_[static_cast<size_t>(k + i)] = pick(shared_.targets, kSharedTargetStream, i);
        }
        index_t free_cells = 0;
        for (index_t i = 0; i < k; ++i)
            for (index_t j = 0; j < k; ++j) {
                const index_t r = grid_genes_[static_cast<size_t>(i)], t = grid_genes_[static_cast<size_t>(k + j)];
                const bool free = r != t && !std::binary_search(shared_.forbidden.begin(), shared_.forbidden.end(),
                                                                std::int64_t(r) * G + t);
                grid_weights_[static_cast<size_t>(i * k + j)] = free ? T(1) : T(0);
                free_cells += free;
            }
        const double negatives = shared_.per_row * double(batch);
        const T cell = free_cells > 0 ? T(negatives * shared_.weight / double(free_cells)) : T(0);
        for (T& w : grid_weights_) w *= cell;
        return double(batch) + negatives;
    }

    std::unique_ptr<Network<T>> net_;
    AdamConfig adam_;
    index_t batch_size_;
    int n_threads_;
    std::vector<T> params_, m_, v_, buffers_;
    std::unique_ptr<T[]> grads_;  // the layout's length; the embedding part unused
    std::vector<index_t> slot_of_, order_, fold_rows_, fold_edges_;
    SeenGenes seen_;  // the genes training saw (empty: all)
    SharedNegatives shared_;
    std::vector<index_t> grid_genes_;
    std::vector<T> grid_weights_;
    index_t grid_sample_ = 0;  // the next grid gene's sample id in this epoch
    EdgeGraph graph_, fold_graph_;  // the known edges; this fold's share of them
    BatchScratch<T> scratch_;
    index_t reserved_ = 0;  // the batch size the work buffers hold
    std::int64_t step_ = 0;
};

}  // namespace grnfast
