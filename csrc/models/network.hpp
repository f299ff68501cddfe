// The interface both models share: forward a batch of (regulator, target) pairs to
// logits; backward from d(loss)/d(logits) to parameter gradients and to one
// embedding-gradient row per (pair, role), which the trainer sums per gene.
#pragma once
#include <memory>

#include <optional>

#include "models/gene_bias.hpp"
#include "models/gene_layer.hpp"
#include "models/layout.hpp"
#include "models/mlp.hpp"

namespace grnfast {

template <class T>
class Network {
   public:
    explicit Network(const ModelSpec& spec) : spec_(spec) { spec_.validate(); }
    virtual ~Network() = default;

    const ModelSpec& spec() const { return spec_; }
    const Layout& layout() const { return layout_; }
    index_t embedding_size() const { return spec_.embedding_rows() * spec_.embedding_dim; }

    virtual void reserve(index_t max_batch) = 0;

    // The known-edge graph a model with graph_dim > 0 reads, its degrees times
    // degree_scale. It must outlive the calls that read it, unchanged. Drops the
    // neighbour means of the features (below).
    void set_graph(const EdgeGraph* graph, double degree_scale = 1.0) {
        graph_input_ = {graph, degree_scale};
        feature_means_.clear();
    }
    // For training with constant node features: the node features' neighbour means
    // over the graph now set, computed once, which forward then reads instead of
    // averaging them per batch (the same values) while it is given these features
    // and until the graph is set again. Nothing when the model reads no graph or no
    // node features.
    void cache_neighbour_features(const T* features, int n_threads) {
        feature_means_.clear();
        if (!spec_.graph_block() || !spec_.feature_block() || spec_.n_features == 0 || features == nullptr) return;
        check_graph();
        feature_means_.compute(*graph_input_.graph, features, spec_.n_features, n_threads);
    }
    // After backward, with the graph: the gradients of the gene rows the graph
    // encoder read (beside the batch's own rows), one list per first-layer part.
    virtual std::vector<GeneRowGradients<T>> graph_gradients() const { return {}; }
    // Throws unless a model that reads the graph has one of its gene table; every
    // entry point calls it before any parallel work (GeneLayer trusts the graph).
    void check_graph() const {
        if (!spec_.graph_block()) return;
        require(graph_input_.graph != nullptr, "the model reads the known-edge graph (graph_dim > 0), but none was given");
        require(graph_input_.graph->n_genes == spec_.n_genes,
                "the known-edge graph has " + std::to_string(graph_input_.graph->n_genes) + " genes, the model " +
                    std::to_string(spec_.n_genes));
    }

    // features: (n_genes x n_features) standardised node features (ignored when
    // the spec does not use them). reg, tgt and pairs hold the ids the models read
    // (ModelSpec::id_space: with the unknown row, g + n_genes is gene g without its
    // identity), checked by the caller. Training mode uses batch statistics, updates the
    // running ones in `buffers`, and applies dropout.
    virtual void forward(const T* params, T* buffers, const T* features, const index_t* reg, const index_t* tgt,
                         index_t batch, bool training, const DropoutContext& ctx, T* logits, int n_threads) = 0;

    // Writes gradients of every non-embedding parameter into grads (full layout),
    // embedding contributions into emb_rows (2*batch x embedding_dim: regulators,
    // then targets) and, when feat_rows is not null, node-feature contributions
    // (2*batch x n_features) in the same order.
    virtual void backward(const T* params, const T* dlogits, index_t batch, T* grads, T* emb_rows, T* feat_rows,
                          int n_threads) = 0;

    // Shared negatives (the two-tower family): rows = batch + k ids per role, the first
    // batch of them pairs (row r's regulator with row r's target), the last k
    // regulators x the last k targets a k x k grid of pairs. logits: the batch pairs',
    // then the grid's row by row; backward_grid takes d(loss)/d(logits) in that order
    // and writes embedding and feature rows as backward does for 2 * rows ids.
    virtual bool scores_grids() const { return false; }
    virtual void forward_grid(const T*, T*, const T*, const index_t*, const index_t*, index_t, index_t, bool,
                              const DropoutContext&, T*, int) {
        throw std::invalid_argument("this model cannot share a batch's negatives (only the two-tower family can)");
    }
    virtual void backward_grid(const T*, const T*, index_t, index_t, T*, T*, T*, int) {
        throw std::invalid_argument("this model cannot share a batch's negatives (only the two-tower family can)");
    }

    // Logits of n pairs in evaluation mode, with per-gene work once per distinct gene
    // of the call. Const: scoring keeps its work buffers per call and per thread, so
    // calls may run at the same time.
    virtual void predict(const T* params, const T* buffers, const T* features, const index_t* pairs, index_t n,
                         T* logits, int n_threads) const = 0;

    // What the trainer and scoring call: the model's forward, backward and predict
    // with the gene biases (gene_bias.hpp) added to the logits. forward_pairs keeps
    // the ids for backward_pairs; they must live until it, as a trainer's batch does.
    void forward_pairs(const T* params, T* buffers, const T* features, const index_t* reg, const index_t* tgt,
                       index_t batch, bool training, const DropoutContext& ctx, T* logits, int n_threads) {
        forward(params, buffers, features, reg, tgt, batch, training, ctx, logits, n_threads);
        gene_bias_.add(params, reg, tgt, 1, batch, logits);
        last_reg_ = reg;
        last_tgt_ = tgt;
    }
    void backward_pairs(const T* params, const T* dlogits, index_t batch, T* grads, T* emb_rows, T* feat_rows,
                        int n_threads) {
        backward(params, dlogits, batch, grads, emb_rows, feat_rows, n_threads);
        gene_bias_.backward(dlogits, last_reg_, last_tgt_, batch, grads);
    }
    void predict_pairs(const T* params, const T* buffers, const T* features, const index_t* pairs, index_t n,
                       T* logits, int n_threads) const {
        predict(params, buffers, features, pairs, n, logits, n_threads);
        gene_bias_.add(params, pairs, pairs + 1, 2, n, logits);
    }
    // forward_pairs and backward_pairs with a grid of shared negatives (forward_grid).
    void forward_grid_pairs(const T* params, T* buffers, const T* features, const index_t* reg, const index_t* tgt,
                            index_t rows, index_t batch, bool training, const DropoutContext& ctx, T* logits,
                            int n_threads) {
        forward_grid(params, buffers, features, reg, tgt, rows, batch, training, ctx, logits, n_threads);
        gene_bias_.add(params, reg, tgt, 1, batch, logits);
        gene_bias_.add_grid(params, reg + batch, rows - batch, tgt + batch, rows - batch, logits + batch, 1);
        last_reg_ = reg;
        last_tgt_ = tgt;
    }
    void backward_grid_pairs(const T* params, const T* dlogits, index_t rows, index_t batch, T* grads, T* emb_rows,
                             T* feat_rows, int n_threads) {
        backward_grid(params, dlogits, rows, batch, grads, emb_rows, feat_rows, n_threads);
        gene_bias_.backward(dlogits, last_reg_, last_tgt_, batch, grads);
        gene_bias_.add_grid_backward(dlogits + batch, last_reg_ + batch, rows - batch, last_tgt_ + batch,
                                     rows - batch, grads);
    }
    const GeneBias<T>& gene_bias() const { return gene_bias_; }

    // Every layer's name and width, in the order layer_outputs writes them.
    virtual std::vector<std::pair<std::string, index_t>> layers() const = 0;

    // Every layer's output for n pairs in evaluation mode (what effective-rank and
    // pruning analyses read): outs[k] is (n x width of layer k).
    virtual void layer_outputs(const T* params, const T* buffers, const T* features, const index_t* pairs, index_t n,
                               T* const* outs, int n_threads) const = 0;

   protected:
    // Rows per scoring task: up to 2048, and small enough that every thread gets
    // several tasks when there are enough rows (no thread left waiting on the last one).
    static index_t scoring_chunk(index_t rows, int n_threads) {
        return std::clamp<index_t>(ceil_div(rows, 4 * index_t(n_threads)), 256, 2048);
    }

    // With graph_dim > 0: the graph encoder's parameters, added to the layout where
    // this is called, and the encoder every GeneLayer runs a copy of.
    void add_graph_encoder() {
        if (!spec_.graph_block()) return;
        const index_t D = (spec_.use_embeddings ? spec_.embedding_dim : 0) +
                          (spec_.feature_block() ? spec_.n_features : 0);
        const index_t G = spec_.graph_dim;
        const index_t w = layout_.add_param("graph.weight", "weight", {GraphEncoder<T>::input_width(D), G});
        const index_t b = layout_.add_param("graph.bias", "bias", {G});
        graph_encoder_.emplace(D, G, w, b);
    }
    const GraphEncoder<T>* graph_encoder() const { return graph_encoder_ ? &*graph_encoder_ : nullptr; }
    index_t graph_dim() const { return spec_.graph_block() ? spec_.graph_dim : 0; }

    // The encoder's parameter gradient: the sum of the layers' (in this order).
    void sum_graph_gradients(std::initializer_list<const GeneLayer<T>*> layers, T* grads) const {
        if (!graph_encoder_) return;
        const index_t w = graph_encoder_->weight_offset();
        const index_t n = GraphEncoder<T>::input_width(graph_encoder_->in_dim()) * graph_dim() + graph_dim();
        std::fill(grads + w, grads + w + n, T(0));
        for (const GeneLayer<T>* layer : layers) {
            const T* g = layer->graph_parameter_gradients();
            for (index_t i = 0; i < n; ++i) grads[w + i] += g[i];
        }
    }

    ModelSpec spec_;
    Layout layout_;
    GeneBias<T> gene_bias_;  // each model adds it to its layout last
    const index_t* last_reg_ = nullptr;
    const index_t* last_tgt_ = nullptr;
    GraphInput graph_input_;
    NeighbourFeatureMeans<T> feature_means_;  // of graph_input_'s graph, when computed
    std::optional<GraphEncoder<T>> graph_encoder_;
};

}  // namespace grnfast
