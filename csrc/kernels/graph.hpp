// The known-edge graph (training positives, CSR in both directions) and a one-round
// GraphSAGE-style encoder over it. For gene v,
//   g_v = ReLU([mean_{u in T(v)} h_u, mean_{u in R(v)} h_u, log1p(s|T(v)|), log1p(s|R(v)|)] W + b)
// where T(v) are v's known targets, R(v) its known regulators (an empty set gives a
// zero mean) and h_u is gene u's input row [e_u, x_u] as the first layer reads it.
// The gene's own h_v is not an input: the first layer reads [h_v, g_v] and combines
// them, as GraphSAGE's concat(self, neighbourhood) layer does, so a self term here
// would cost a third of the encoder's work and add nothing the first layer lacks.
// The degrees are counted times a scale s: in training the graph holds about half of
// the known edges (the trainer's two folds), and s makes them estimates of the whole
// graph's degrees, which prediction reads (s = 1).
//
// A gene index v >= n_genes (at most 2 n_genes - 1; the models' ids, ModelSpec::id_space)
// stands for a gene without its identity: an unseen gene, or a training occurrence
// whose embedding was dropped. It is encoded as a gene with no known edges (empty
// neighbour sets, zero degrees: g_v = ReLU(b)), as a gene that training never saw
// is in the graph of training positives; its neighbours' rows are never read.
#pragma once
#include <cmath>

#include "core/vectorised.hpp"
#include "kernels/dense.hpp"

namespace grnfast {

// Directed graph of known edges: targets(v) and regulators(v) in ascending order,
// duplicates removed. Every index is checked once when the graph is built.
struct EdgeGraph {
    index_t n_genes = 0;
    std::vector<index_t> tgt_start = {0}, tgt, reg_start = {0}, reg;

    EdgeGraph() = default;
    // edges: (n_edges x 2) row-major (regulator, target).
    EdgeGraph(index_t n_genes_, const index_t* edges, index_t n_edges) : n_genes(n_genes_) {
        require(n_genes >= 0 && n_edges >= 0, "the graph needs non-negative sizes");
        for (index_t i = 0; i < 2 * n_edges; ++i)
            if (edges[i] < 0 || edges[i] >= n_genes)
                throw std::out_of_range("graph edge " + std::to_string(i / 2) + " has gene index " +
                                        std::to_string(edges[i]) + ", outside [0, " + std::to_string(n_genes) + ")");
        build(edges, n_edges, 0, tgt_start, tgt);
        build(edges, n_edges, 1, reg_start, reg);
    }

    index_t n_edges() const { return static_cast<index_t>(tgt.size()); }
    index_t out_degree(index_t v) const { return tgt_start[v + 1] - tgt_start[v]; }
    index_t in_degree(index_t v) const { return reg_start[v + 1] - reg_start[v]; }

   private:
    // CSR keyed by column `from` of the edges, neighbours from the other column.
    void build(const index_t* edges, index_t n_edges, int from, std::vector<index_t>& start,
               std::vector<index_t>& nbr) const {
        start.assign(static_cast<size_t>(n_genes + 1), 0);
        for (index_t i = 0; i < n_edges; ++i) ++start[edges[2 * i + from] + 1];
        for (index_t v = 0; v < n_genes; ++v) start[v + 1] += start[v];
        nbr.resize(static_cast<size_t>(n_edges));
        std::vector<index_t> fill(start.begin(), start.end() - 1);
        for (index_t i = 0; i < n_edges; ++i) nbr[fill[edges[2 * i + from]]++] = edges[2 * i + 1 - from];
        // Sort and deduplicate each list, then compact.
        index_t out = 0;
        for (index_t v = 0; v < n_genes; ++v) {
            const index_t b = start[v], e = start[v + 1];
            std::sort(nbr.begin() + b, nbr.begin() + e);
            const index_t first = out;
            for (index_t k = b; k < e; ++k)
                if (k == b || nbr[k] != nbr[k - 1]) nbr[out++] = nbr[k];
            start[v] = first;
        }
        start[n_genes] = out;
        nbr.resize(static_cast<size_t>(out));
    }
};

// The graph a model reads in a call, and the scale of its degrees.
struct GraphInput {
    const EdgeGraph* graph = nullptr;
    double degree_scale = 1.0;
};

// Gradients of the gene input rows [e, x] an encoder read: rows (n x width), one
// per gene of `genes`.
template <class T>
struct GeneRowGradients {
    const index_t* genes = nullptr;
    index_t n = 0;
    const T* rows = nullptr;
    index_t width = 0;
};

// Where a gene's input row h_u = [e_u, x_u] comes from: the embedding table (E
// columns, none when null) and the node features (F columns, none when null).
template <class T>
struct GeneRows {
    const T* emb = nullptr;
    index_t E = 0;
    const T* feat = nullptr;
    index_t F = 0;
    index_t width() const { return (emb ? E : 0) + (feat ? F : 0); }
};

// out = ReLU(z); and d = dout where z > 0, else 0 (ReLU's backward). Branch-free
// loops the compiler vectorises: the encoder's outputs are about half zeros.
template <class T>
GRNFAST_VECTORISED inline void relu_forward(const T* __restrict z, index_t n, T* __restrict out) {
    for (index_t i = 0; i < n; ++i) out[i] = z[i] > T(0) ? z[i] : T(0);
}
template <class T>
GRNFAST_VECTORISED inline void relu_backward(const T* __restrict z, const T* __restrict dout, index_t n,
                                             T* __restrict d) {
    for (index_t i = 0; i < n; ++i) d[i] = z[i] > T(0) ? dout[i] : T(0);
}

// A hint to fetch row[0, n) into the cache (no effect on any result).
template <class T>
inline void prefetch_row(const T* row, index_t n) {
#if defined(__GNUC__) || defined(__clang__)
    constexpr index_t kLine = 64 / static_cast<index_t>(sizeof(T));
    for (index_t j = 0; j < n; j += kLine) __builtin_prefetch(row + j);
#else
    (void)row, (void)n;
#endif
}

// dst (cols) = mean over the neighbours [begin, end) of their rows of table (n x
// cols, row-major), zero when there are none: the sum in neighbour order from zero,
// then times 1/count. Each column is its own sum, so a row's columns may be taken in
// any grouping (the embedding's and the node features' apart) with the same result.
template <class T>
GRNFAST_VECTORISED inline void neighbour_mean(const T* __restrict table, index_t cols, const index_t* begin,
                                              const index_t* end, T* __restrict dst) {
    std::fill(dst, dst + cols, T(0));
    // The rows are scattered over a table larger than the cache (20,000 x 64 floats:
    // 5 MB), and the sum waits on each: ask for the row kAhead neighbours on early.
    constexpr index_t kAhead = 8;
    for (const index_t* u = begin; u != end; ++u) {
        if (end - u > kAhead) prefetch_row(table + u[kAhead] * cols, cols);
        const T* row = table + *u * cols;
        for (index_t j = 0; j < cols; ++j) dst[j] += row[j];
    }
    if (end > begin) {
        const T inv = T(1) / T(end - begin);
        for (index_t j = 0; j < cols; ++j) dst[j] *= inv;
    }
}

// The node-feature columns of every gene's two neighbour means over one graph:
// (n_genes x 2F), [mean over T(v) | mean over R(v)], exactly what the encoder
// computes per batch (neighbour_mean). The features do not change while a model
// trains, so the trainer computes these once per graph (each fold's) and the
// encoder then averages only the embedding columns per batch. Valid for the graph
// and features they were computed from (for_graph says); the network drops them
// whenever its graph is set.
template <class T>
class NeighbourFeatureMeans {
   public:
    void compute(const EdgeGraph& graph, const T* features, index_t F, int n_threads) {
        clear();
        require(F > 0 && features != nullptr, "neighbour feature means need node features");
        const index_t n = graph.n_genes;
        T* out = grow_to(means_, n * 2 * F, "the neighbour means of the node features");
        const index_t* tgt = graph.tgt.data();
        const index_t* reg = graph.reg.data();
        parallel_for(n_threads, ceil_div(n, 64), 2.0 * double(graph.n_edges()) * F, [&](index_t blk) {
            for (index_t v = blk * 64; v < std::min(n, blk * 64 + 64); ++v) {
                T* row = out + v * 2 * F;
                neighbour_mean(features, F, tgt + graph.tgt_start[v], tgt + graph.tgt_start[v + 1], row);
                neighbour_mean(features, F, reg + graph.reg_start[v], reg + graph.reg_start[v + 1], row + F);
            }
        });
        graph_ = &graph;
        features_ = features;
        F_ = F;
        n_genes_ = n;
    }
    void clear() { graph_ = nullptr, features_ = nullptr, F_ = 0, n_genes_ = 0; }
    // The means when they were computed for this graph and these features (F
    // columns), else null.
    const T* for_graph(const EdgeGraph& graph, const T* features, index_t F) const {
        return graph_ == &graph && features_ == features && F_ == F && n_genes_ == graph.n_genes && F > 0
                   ? means_.data()
                   : nullptr;
    }

   private:
    const EdgeGraph* graph_ = nullptr;
    const T* features_ = nullptr;
    index_t F_ = 0, n_genes_ = 0;
    std::vector<T> means_;
};

template <class T>
class GraphEncoder {
   public:
    // in_dim: width of h; out_dim: width of g. The weight ((2 in_dim + 2) x out_dim,
    // input_width rows) sits at params + weight, the bias (out_dim) at params + bias.
    GraphEncoder(index_t in_dim, index_t out_dim, index_t weight, index_t bias)
        : D_(in_dim), G_(out_dim), K_(input_width(in_dim)), w_(weight), b_(bias) {}
    static index_t input_width(index_t in_dim) { return 2 * in_dim + 2; }

    index_t out_dim() const { return G_; }
    index_t in_dim() const { return D_; }
    index_t weight_offset() const { return w_; }  // the bias follows the weight

    // Training forward for n genes: g (n x out_dim), valid until the next call.
    // feature_means: null, or the graph's NeighbourFeatureMeans of rows.feat, read
    // instead of averaging the feature columns again (the same values).
    const T* forward(const T* params, const GeneRows<T>& rows, const EdgeGraph& graph, T degree_scale,
                     const index_t* genes, index_t n, int n_threads, const T* feature_means = nullptr) {
        genes_in_.assign(genes, genes + n);
        T* A = grow_to(input_, n * K_);
        T* Z = grow_to(z_, n * G_);
        T* out = grow_to(out_, n * G_);
        encode_rows(params, rows, graph, degree_scale, genes, n, A, Z, out, n_threads, feature_means);
        return out;
    }

    // Evaluation forward into out (n x out_dim), a few hundred genes at a time
    // (bounded scratch); leaves the training state alone.
    void encode(const T* params, const GeneRows<T>& rows, const EdgeGraph& graph, T degree_scale,
                const index_t* genes, index_t n, T* out, int n_threads) const {
        constexpr index_t kGenes = 256;
        const index_t m = std::min(n, kGenes);
        std::vector<T> A(static_cast<size_t>(m * K_)), Z(static_cast<size_t>(m * G_));
        for (index_t s = 0; s < n; s += kGenes)
            encode_rows(params, rows, graph, degree_scale, genes + s, std::min(kGenes, n - s), A.data(), Z.data(),
                        out + s * G_, n_threads);
    }

    // From d(loss)/d(g) of the last forward's genes: the weight and bias gradients
    // (into d_weight, d_bias) and d(loss)/d(h_u), of h_u's first `cols` columns
    // only (the embedding's, when the node features are constants), for every gene
    // the forward read (the genes' neighbours): read_genes() ascending,
    // read_gradients() (read_genes().size() x read_width()). Each gene's sum runs
    // over its contributions in the order of the forward's genes, one gene per task:
    // the same for any thread count, and for any `cols` (each column of d(input)
    // is its own product over out_dim).
    void backward(const T* params, const T* d_out, const EdgeGraph& graph, T* d_weight, T* d_bias, index_t cols,
                  int n_threads) {
        const index_t n = static_cast<index_t>(genes_in_.size());
        T* dZ = grow_to(dz_, n * G_);
        relu_backward(z_.data(), d_out, n * G_, dZ);
        dense_backward(n, K_, G_, input_.data(), params + w_, dZ, d_weight, d_bias, static_cast<T*>(nullptr),
                       n_threads);
        read_width_ = std::min(cols, D_);
        read_.clear();
        if (read_width_ == 0) return;
        // d(input) = dZ W^T, only the wanted columns of the two neighbour means.
        T* dA = grow_to(d_input_, n * K_);
        for (index_t block = 0; block < 2; ++block)
            gemm<T>(n, read_width_, G_, {dZ, G_, 1}, {params + w_ + block * D_ * G_, 1, G_}, dA + block * D_, K_,
                    false, n_threads);
        plan_contributions(graph);
        const index_t m = static_cast<index_t>(read_.size()), c = read_width_;
        T* dH = grow_to(d_rows_, m * c);
        parallel_for(n_threads, ceil_div(m, 16), double(contrib_.size()) * c, [&](index_t blk) {
            for (index_t u = blk * 16; u < std::min(m, blk * 16 + 16); ++u) {
                T* dst = dH + u * c;
                std::fill(dst, dst + c, T(0));
                for (index_t k = contrib_start_[static_cast<size_t>(u)]; k < contrib_start_[static_cast<size_t>(u) + 1];
                     ++k) {
                    const Contribution& from = contrib_[static_cast<size_t>(k)];
                    const T* src = dA + from.row * K_ + from.block * D_;
                    for (index_t j = 0; j < c; ++j) dst[j] += from.scale * src[j];
                }
            }
        });
    }
    const std::vector<index_t>& read_genes() const { return read_; }
    const T* read_gradients() const { return d_rows_.data(); }
    index_t read_width() const { return read_width_; }

   private:
    // A = each gene's [mean_T h, mean_R h, log1p(s|T|), log1p(s|R|)]; out = ReLU(A W + b).
    // With feature_means, the feature columns of the two means are read from them.
    void encode_rows(const T* params, const GeneRows<T>& rows, const EdgeGraph& graph, T degree_scale,
                     const index_t* genes, index_t n, T* A, T* Z, T* out, int n_threads,
                     const T* feature_means = nullptr) const {
        const index_t* tgt = graph.tgt.data();
        const index_t* reg = graph.reg.data();
        const index_t E = rows.emb ? rows.E : 0, F = rows.feat ? rows.F : 0;
        parallel_for(n_threads, ceil_div(n, 16), double(n) * K_ * 4, [&](index_t blk) {
            for (index_t i = blk * 16; i < std::min(n, blk * 16 + 16); ++i) {
                const index_t v = genes[i];
                T* a = A + i * K_;
                if (v >= graph.n_genes) {  // no identity: no known edges
                    std::fill(a, a + K_, T(0));
                    continue;
                }
                const index_t *t0 = tgt + graph.tgt_start[v], *t1 = tgt + graph.tgt_start[v + 1];
                const index_t *r0 = reg + graph.reg_start[v], *r1 = reg + graph.reg_start[v + 1];
                if (E > 0) {
                    neighbour_mean(rows.emb, E, t0, t1, a);
                    neighbour_mean(rows.emb, E, r0, r1, a + D_);
                }
                if (F > 0 && feature_means) {
                    const T* cached = feature_means + v * 2 * F;
                    std::copy(cached, cached + F, a + E);
                    std::copy(cached + F, cached + 2 * F, a + D_ + E);
                } else if (F > 0) {
                    neighbour_mean(rows.feat, F, t0, t1, a + E);
                    neighbour_mean(rows.feat, F, r0, r1, a + D_ + E);
                }
                a[2 * D_] = T(std::log1p(double(degree_scale) * double(graph.out_degree(v))));
                a[2 * D_ + 1] = T(std::log1p(double(degree_scale) * double(graph.in_degree(v))));
            }
        });
        dense_forward(n, K_, G_, A, params + w_, params + b_, Z, n_threads);
        relu_forward(Z, n * G_, out);
    }

    // Which row of the forward (and which block of it: 0 its targets' mean, 1 its
    // regulators' mean, with the mean's 1/count) reaches each
    // gene, grouped by gene in ascending order and in row order within a gene (a
    // counting sort: no comparison sort per batch).
    struct Contribution {
        index_t row;
        index_t block;
        T scale;
    };
    void plan_contributions(const EdgeGraph& graph) {
        const index_t n = static_cast<index_t>(genes_in_.size());
        if (count_.size() != static_cast<size_t>(graph.n_genes)) count_.assign(static_cast<size_t>(graph.n_genes), 0);
        const auto for_each = [&](auto&& emit) {
            for (index_t i = 0; i < n; ++i) {
                const index_t v = genes_in_[static_cast<size_t>(i)];
                if (v >= graph.n_genes) continue;  // no identity: no neighbours
                const index_t t0 = graph.tgt_start[v], t1 = graph.tgt_start[v + 1];
                for (index_t k = t0; k < t1; ++k) emit(graph.tgt[k], i, 0, T(1) / T(t1 - t0));
                const index_t r0 = graph.reg_start[v], r1 = graph.reg_start[v + 1];
                for (index_t k = r0; k < r1; ++k) emit(graph.reg[k], i, 1, T(1) / T(r1 - r0));
            }
        };
        index_t total = 0;
        for_each([&](index_t u, index_t, index_t, T) {
            ++count_[static_cast<size_t>(u)];
            ++total;
        });
        // Genes read, ascending; count_ becomes each gene's next free place.
        read_.clear();
        contrib_start_.assign(1, 0);
        for (index_t u = 0; u < graph.n_genes; ++u)
            if (count_[static_cast<size_t>(u)] > 0) {
                read_.push_back(u);
                const index_t begin = contrib_start_.back();
                contrib_start_.push_back(begin + count_[static_cast<size_t>(u)]);
                count_[static_cast<size_t>(u)] = begin;
            }
        contrib_.resize(static_cast<size_t>(total));
        for_each([&](index_t u, index_t i, index_t block, T scale) {
            contrib_[static_cast<size_t>(count_[static_cast<size_t>(u)]++)] = {i, block, scale};
        });
        for (index_t u : read_) count_[static_cast<size_t>(u)] = 0;
    }

    index_t D_ = 0, G_ = 0, K_ = 0, w_ = 0, b_ = 0, read_width_ = 0;
    std::vector<index_t> genes_in_, count_, read_, contrib_start_;
    std::vector<T> input_, z_, out_, dz_, d_input_, d_rows_;
    std::vector<Contribution> contrib_;
};

}  // namespace grnfast
