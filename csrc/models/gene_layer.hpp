// The part of a first layer that reads one gene's own inputs: [embedding | node
// features | graph encoding] times that gene's rows of the weight matrix. It depends
// on the gene alone, so it is computed once per distinct gene (of a batch, of a
// scoring call) and shared by every pair of that gene. Both models are built on it:
// each tower of the two-tower model has one for its whole first layer (with the
// bias), and the cross-encoder one per role for that role's part of its first layer.
//
// A gene's input row is [e | x] (embedding, then node features, when the model has
// them); with the known-edge graph (graph_dim > 0) the layer also reads g, the graph
// encoder's output for the gene (kernels/graph.hpp), whose own input is [e | x] of
// the gene and of its graph neighbours. Its rows of W are one block when they are
// adjacent in W (a tower's first layer) and several otherwise (the cross-encoder's
// W interleaves the roles): one matrix product per block, over all the genes at once.
//
// The ids it reads are ModelSpec ids: with the unknown-gene row (embedding_dropout
// > 0), id g + n_genes is gene g without its identity, whose row is [unknown row |
// x_g | g's encoding as a gene with no known edges]. Such an id is a gene of its own
// here (its part differs from g's), so a batch may hold both.
#pragma once
#include <optional>

#include "kernels/dense.hpp"
#include "kernels/embedding.hpp"
#include "kernels/graph.hpp"
#include "models/layout.hpp"

namespace grnfast {

template <class T>
class GeneLayer {
   public:
    // W (in x H, row-major) starts at params + weight; the embedding multiplies its
    // rows [emb_row, emb_row + E), the node features [feat_row, feat_row + F), the
    // graph encoding [graph_row, graph_row + G) when `encoder` is given (this layer
    // runs its own copy, reading the graph of `graph`, and in training the neighbour
    // means of the node features from `feature_means` when they are those of that
    // graph and features). bias: the offset of a bias added to every gene's part, or
    // -1 for none.
    GeneLayer(const ModelSpec& spec, index_t weight, index_t H, index_t emb_row, index_t feat_row, index_t bias,
              const GraphEncoder<T>* encoder = nullptr, index_t graph_row = -1, const GraphInput* graph = nullptr,
              const NeighbourFeatureMeans<T>* feature_means = nullptr)
        : n_genes_(spec.n_genes),
          n_ids_(spec.id_space()),
          E_(spec.use_embeddings ? spec.embedding_dim : 0),
          F_(spec.feature_block() ? spec.n_features : 0),
          G_(encoder ? encoder->out_dim() : 0),
          H_(H),
          weight_(weight),
          bias_(bias),
          graph_input_(graph),
          feature_means_(feature_means) {
        if (encoder) encoder_.emplace(*encoder);
        add_block(0, E_, emb_row);
        add_block(E_, F_, feat_row);
        add_block(E_ + F_, G_, graph_row);
    }

    index_t width() const { return E_ + F_; }  // columns of a gene's input row [e | x]
    index_t embedding_cols() const { return E_; }

    void reserve(index_t max_batch) {
        grow_to(rows_, max_batch * row_width());
        grow_to(part_, max_batch * H_);
        grow_to(dz_sum_, max_batch * H_);
    }

    // The distinct genes of the last forward call, and where each pair's gene is.
    const BatchGenes& genes() const { return genes_; }
    // Pair r's gene part (H values), after forward.
    const T* pair_part(index_t r) const { return part_.data() + genes_.position[static_cast<size_t>(r)] * H_; }

    // Training (or any batch): the parts of the distinct genes among ids[r * stride]
    // (r < batch), one row per gene in order of first appearance. When every pair has
    // its own gene and `pair_rows` is given, the parts are written there (they are
    // then the pairs' rows). Returns where the parts are.
    const T* forward(const T* params, const T* features, const index_t* ids, index_t batch, int n_threads,
                     T* pair_rows = nullptr, index_t stride = 1) {
        genes_.build(ids, batch, n_ids_, stride);
        const index_t u = genes_.size();
        gather(params, features, genes_.genes.data(), u, rows_.data(), n_threads);
        if (encoder_) {
            const T* means = feature_means_ ? feature_means_->for_graph(graph(), features, F_) : nullptr;
            const T* g = encoder_->forward(params, gene_rows(params, features), graph(), degree_scale(),
                                           genes_.genes.data(), u, n_threads, means);
            place_graph_rows(g, u, rows_.data());
        }
        T* out = pair_rows && u == batch ? pair_rows : part_.data();
        multiply(params, rows_.data(), u, out, n_threads);
        return out;
    }

    // Evaluation: the parts of n listed genes into out (n x H), a few hundred genes
    // at a time through `rows` (grown as needed: one per thread when scoring).
    void parts(const T* params, const T* features, const index_t* genes, index_t n, T* out, std::vector<T>& rows,
               int n_threads) const {
        constexpr index_t kGenes = 256;
        const index_t m = std::min(n, kGenes);
        T* r = grow_to(rows, m * (row_width() + G_));
        T* g = r + m * row_width();
        for (index_t s = 0; s < n; s += kGenes) {
            const index_t c = std::min(kGenes, n - s);
            gather(params, features, genes + s, c, r, n_threads);
            if (encoder_) {
                encoder_->encode(params, gene_rows(params, features), graph(), degree_scale(), genes + s, c, g,
                                 n_threads);
                place_graph_rows(g, c, r);
            }
            multiply(params, r, c, out + s * H_, n_threads);
        }
    }

    // From dz (batch x H: d(loss)/d(each pair's first-layer pre-activation), after
    // the forward call): the weight gradient (and the bias's) into grads, from dz
    // summed per gene (pairs in order) and the genes' rows; and the gradient of each
    // gene's input row, (u x cols) with cols = width() when `feature_columns`, else
    // embedding_cols(). Written to `d_rows` when given, else to a buffer of this
    // layer. Returns the row gradients (null when cols is 0). With the graph, the
    // encoder's parameter gradients go to graph_parameter_gradients() (the model
    // adds those of its layers), the rows it read to graph_row_gradients().
    const T* backward(const T* params, T* grads, const T* dz, index_t batch, bool feature_columns, int n_threads,
                      T* d_rows = nullptr) {
        const index_t u = genes_.size(), w = row_width();
        const bool distinct = u == batch;  // positions are the identity
        if (!distinct) group_sums(batch, H_, dz, genes_.position.data(), u, dz_sum_.data(), n_threads);
        const MatView<T> sums{distinct ? dz : dz_sum_.data(), H_, 1};
        for (const Block& b : blocks_)
            gemm<T>(b.cols, H_, u, {rows_.data() + b.col, 1, w}, sums, grads + weight_ + b.row * H_, H_, false,
                    n_threads);
        if (bias_ >= 0) column_sums(batch, H_, dz, grads + bias_, n_threads);
        const index_t cols = feature_columns ? width() : E_;
        if (encoder_) {
            T* d_g = grow_to(d_graph_, u * G_);
            for_rows(E_ + F_, G_, [&](index_t row) {
                gemm<T>(u, G_, H_, sums, {params + weight_ + row * H_, 1, H_}, d_g, G_, false, n_threads);
            });
            const index_t K = GraphEncoder<T>::input_width(width());
            T* d_enc = grow_to(d_encoder_, K * G_ + G_);
            // The neighbours' rows need gradients only in the columns this layer's own rows do.
            encoder_->backward(params, d_g, graph(), d_enc, d_enc + K * G_, cols, n_threads);
        }
        if (cols == 0) return nullptr;
        T* d = d_rows ? d_rows : grow_to(d_rows_, u * cols);
        for (const Block& b : blocks_) {
            const index_t n = std::min(b.col + b.cols, cols) - b.col;
            if (n > 0)
                gemm<T>(u, n, H_, sums, {params + weight_ + b.row * H_, 1, H_}, d + b.col, cols, false, n_threads);
        }
        return d;
    }

    // After backward, with the graph: d(loss)/d(encoder weight, then bias), and the
    // gradients of the [e | x] rows the encoder read.
    const T* graph_parameter_gradients() const { return d_encoder_.data(); }
    GeneRowGradients<T> graph_row_gradients() const {
        if (!encoder_) return {};
        return {encoder_->read_genes().data(), static_cast<index_t>(encoder_->read_genes().size()),
                encoder_->read_gradients(), encoder_->read_width()};
    }

   private:
    // A run of adjacent columns of the input row [col, col + cols) and the row of W
    // where its weights start.
    struct Block {
        index_t col, cols, row;
    };
    void add_block(index_t col, index_t cols, index_t row) {
        if (cols == 0) return;
        if (!blocks_.empty() && blocks_.back().col + blocks_.back().cols == col &&
            blocks_.back().row + blocks_.back().cols == row)
            blocks_.back().cols += cols;
        else
            blocks_.push_back({col, cols, row});
    }
    // fn(row of W) for the input columns [col, col + cols), which lie in one block.
    template <class F>
    void for_rows(index_t col, index_t cols, F&& fn) const {
        for (const Block& b : blocks_)
            if (col >= b.col && col + cols <= b.col + b.cols) return fn(b.row + (col - b.col));
    }

    index_t row_width() const { return E_ + F_ + G_; }  // [e | x | g]
    GeneRows<T> gene_rows(const T* params, const T* features) const {
        return {E_ > 0 ? params : nullptr, E_, F_ > 0 ? features : nullptr, F_};
    }
    const EdgeGraph& graph() const { return *graph_input_->graph; }  // checked by the model (check_graph)
    T degree_scale() const { return T(graph_input_->degree_scale); }

    // rows (n x row_width) = [e(gene) | x(gene) | ...] for each listed gene (id g +
    // n_genes: the unknown row, row n_genes of the table, and g's features).
    void gather(const T* params, const T* features, const index_t* genes, index_t n, T* rows, int n_threads) const {
        const index_t w = row_width();
        parallel_for(n_threads, ceil_div(n, 64), double(n) * w, [&](index_t b) {
            for (index_t r = b * 64; r < std::min(n, b * 64 + 64); ++r) {
                T* row = rows + r * w;
                const bool known = genes[r] < n_genes_;
                const index_t e = known ? genes[r] : n_genes_, x = known ? genes[r] : genes[r] - n_genes_;
                if (E_ > 0) std::copy(params + e * E_, params + (e + 1) * E_, row);
                if (F_ > 0) std::copy(features + x * F_, features + (x + 1) * F_, row + E_);
            }
        });
    }
    // g (n x G) into the last G columns of rows.
    void place_graph_rows(const T* g, index_t n, T* rows) const {
        for (index_t r = 0; r < n; ++r) std::copy(g + r * G_, g + (r + 1) * G_, rows + r * row_width() + E_ + F_);
    }

    // out (n x H) = [bias +] rows W_gene, one product per block of W.
    void multiply(const T* params, const T* rows, index_t n, T* out, int n_threads) const {
        bool written = false;
        for (const Block& b : blocks_) {
            gemm<T>(n, H_, b.cols, {rows + b.col, row_width(), 1}, {params + weight_ + b.row * H_, H_, 1}, out, H_,
                    written, n_threads, !written && bias_ >= 0 ? params + bias_ : nullptr);
            written = true;
        }
    }

    index_t n_genes_, n_ids_, E_, F_, G_, H_, weight_, bias_;
    const GraphInput* graph_input_;
    const NeighbourFeatureMeans<T>* feature_means_;
    std::optional<GraphEncoder<T>> encoder_;
    std::vector<Block> blocks_;
    BatchGenes genes_;
    std::vector<T> rows_, part_, dz_sum_, d_rows_, d_graph_, d_encoder_;
};

}  // namespace grnfast
