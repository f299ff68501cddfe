// Cross-encoder: one MLP reads the pair jointly,
//   [e_reg, e_tgt, x_reg, x_tgt, e_reg * e_tgt (, x_reg * x_tgt) (, g_reg, g_tgt)] -> hidden layers -> one logit,
// with g the known-edge graph encoder's output per gene when graph_dim > 0, and the
// features' product block with feature_interaction (through it the first layer holds
// any bilinear form of the two genes' features, which the head otherwise learns
// slowly from [x_reg, x_tgt] on small data: issue 25's feature-only task).
// Its first layer splits by input block: [e_reg, x_reg, g_reg] and [e_tgt, x_tgt, g_tgt] give a
// part per gene of each role (a GeneLayer each, computed once per distinct gene),
// e_reg * e_tgt (and x_reg * x_tgt) a block per pair; a pair's pre-activation is bias + the two parts +
// the product block. Training, prediction and genome-wide grids all build it so.
#pragma once
#include "core/vectorised.hpp"
#include "kernels/packed_gemm.hpp"
#include "models/gene_layer.hpp"
#include "models/network.hpp"

namespace grnfast {

// One pair's row of the split first layer: z = bias + part_reg + part_tgt (H values)
// and, when the model has a product block, product = e_reg * e_tgt (E values).
template <class T>
GRNFAST_VECTORISED inline void first_layer_row(const T* __restrict bias, const T* __restrict part_reg,
                                               const T* __restrict part_tgt, index_t H, const T* __restrict e_reg,
                                               const T* __restrict e_tgt, index_t E, T* __restrict z,
                                               T* __restrict product) {
    for (index_t h = 0; h < H; ++h) z[h] = bias[h] + part_reg[h] + part_tgt[h];
    if (product)
        for (index_t k = 0; k < E; ++k) product[k] = e_reg[k] * e_tgt[k];
}

// One pair's embedding-gradient rows: g_reg = d_reg + d(prod) * e_tgt and g_tgt =
// d_tgt + d(prod) * e_reg, where d_reg / d_tgt (null: zero) carry the gene's
// per-gene gradient and d_prod (null without a product block) the pair's own.
template <class T>
GRNFAST_VECTORISED inline void pair_embedding_gradients(const T* __restrict d_reg, const T* __restrict d_tgt,
                                                        const T* __restrict d_prod, const T* __restrict e_reg,
                                                        const T* __restrict e_tgt, index_t E, T* __restrict g_reg,
                                                        T* __restrict g_tgt) {
    for (index_t j = 0; j < E; ++j) g_reg[j] = d_reg ? d_reg[j] : T(0);
    for (index_t j = 0; j < E; ++j) g_tgt[j] = d_tgt ? d_tgt[j] : T(0);
    if (d_prod)
        for (index_t j = 0; j < E; ++j) {
            g_reg[j] += d_prod[j] * e_tgt[j];
            g_tgt[j] += d_prod[j] * e_reg[j];
        }
}

// Genome-wide scoring's row helpers (score_grid): row = row * scale (+ add, when
// given); out = a + b; and a dot product in 16 fixed lanes summed in order (the same
// sum on any thread).
template <class T>
GRNFAST_VECTORISED inline void scale_row(T* __restrict row, const T* __restrict scale, const T* __restrict add,
                                         index_t n) {
    if (add)
        for (index_t j = 0; j < n; ++j) row[j] = row[j] * scale[j] + add[j];
    else
        for (index_t j = 0; j < n; ++j) row[j] = row[j] * scale[j];
}

template <class T>
GRNFAST_VECTORISED inline void add_rows(const T* __restrict a, const T* __restrict b, index_t n, T* __restrict out) {
    for (index_t j = 0; j < n; ++j) out[j] = a[j] + b[j];
}

template <class T>
GRNFAST_VECTORISED inline T dot_lanes(const T* __restrict a, const T* __restrict w, index_t n) {
    constexpr index_t kLanes = 16;
    T lane[kLanes] = {};
    index_t k = 0;
    for (; k + kLanes <= n; k += kLanes)
        for (index_t j = 0; j < kLanes; ++j) lane[j] += a[k + j] * w[k + j];
    T sum = T(0);
    for (index_t j = 0; j < kLanes; ++j) sum += lane[j];
    for (; k < n; ++k) sum += a[k] * w[k];
    return sum;
}

template <class T>
class CrossEncoder : public Network<T> {
    using Network<T>::spec_;
    using Network<T>::layout_;

   public:
    explicit CrossEncoder(const ModelSpec& spec)
        : Network<T>(spec),
          head_(make_head()),
          reg_(spec_, head_.first_weight(), head_.first_width(), col_e_reg_, col_x_reg_, /*bias=*/-1,
               this->graph_encoder(), col_g_reg_, &this->graph_input_, &this->feature_means_),
          tgt_(spec_, head_.first_weight(), head_.first_width(), col_e_tgt_, col_x_tgt_, /*bias=*/-1,
               this->graph_encoder(), col_g_tgt_, &this->graph_input_, &this->feature_means_) {
        this->gene_bias_.add_to(layout_, spec_);
    }

    void reserve(index_t max_batch) override {
        head_.reserve(max_batch);
        if (spec_.product_block())
            for (auto* v : {&product_, &d_product_}) grow_to(*v, max_batch * spec_.embedding_dim);
        if (feature_product()) grow_to(feature_product_, max_batch * spec_.n_features);
        reg_.reserve(max_batch);
        tgt_.reserve(max_batch);
    }

    void forward(const T* params, T* buffers, const T* features, const index_t* reg, const index_t* tgt, index_t batch,
                 bool training, const DropoutContext& ctx, T* logits, int n_threads) override {
        this->check_graph();
        features_ = features;
        const T* reg_parts = reg_.forward(params, features, reg, batch, n_threads);
        const T* tgt_parts = tgt_.forward(params, features, tgt, batch, n_threads);
        first_layer(params, features, batch, reg_.genes().position.data(), reg_parts, tgt_.genes().position.data(),
                    tgt_parts, reg, tgt, 1, product_.data(), feature_product_.data(), head_.first_preactivation(),
                    n_threads);
        const T* out = training ? head_.train_from_first_preactivation(params, buffers, batch, ctx, n_threads)
                                : head_.forward_from_first_preactivation(params, buffers, batch, n_threads);
        std::copy(out, out + batch, logits);
    }

    void backward(const T* params, const T* dlogits, index_t batch, T* grads, T* emb_rows, T* feat_rows,
                  int n_threads) override {
        const index_t H = head_.first_width(), E = spec_.embedding_dim, F = spec_.n_features;
        const T* dz = head_.backward_to_first_preactivation(params, grads, dlogits, batch, n_threads);
        const index_t W = head_.first_weight();
        const bool has_product = spec_.product_block();
        if (has_product)
            dense_backward(batch, E, H, product_.data(), params + W + col_prod_ * H, dz, grads + W + col_prod_ * H,
                           grads + head_.first_bias(), d_product_.data(), n_threads);
        else
            column_sums(batch, H, dz, grads + head_.first_bias(), n_threads);
        if (feature_product())
            gemm<T>(F, H, batch, {feature_product_.data(), 1, F}, {dz, H, 1}, grads + W + col_fprod_ * H, H, false,
                    n_threads);
        const bool with_features = feat_rows != nullptr;
        const T* d_reg = reg_.backward(params, grads, dz, batch, with_features, n_threads);
        const T* d_tgt = tgt_.backward(params, grads, dz, batch, with_features, n_threads);
        this->sum_graph_gradients({&reg_, &tgt_}, grads);
        // One row per (pair, role), which the trainer sums per gene: a gene's per-gene
        // gradient rides on its first pair's row, the product term on every pair's.
        const index_t cols = with_features ? reg_.width() : reg_.embedding_cols(), Ec = reg_.embedding_cols();
        const BatchGenes &regs = reg_.genes(), &tgts = tgt_.genes();
        parallel_for(n_threads, ceil_div(batch, 64), 4.0 * batch * (E + F), [&](index_t b) {
            for (index_t r = b * 64; r < std::min(batch, b * 64 + 64); ++r) {
                const T* dr = d_reg ? d_reg + regs.position[static_cast<size_t>(r)] * cols : nullptr;
                const T* dt = d_tgt ? d_tgt + tgts.position[static_cast<size_t>(r)] * cols : nullptr;
                const bool first_reg = regs.is_first(r), first_tgt = tgts.is_first(r);
                if (spec_.use_embeddings)
                    pair_embedding_gradients(first_reg ? dr : nullptr, first_tgt ? dt : nullptr,
                                             has_product ? d_product_.data() + r * E : nullptr,
                                             embedding(params, regs.gene_of(r)), embedding(params, tgts.gene_of(r)), E,
                                             emb_rows + r * E, emb_rows + (batch + r) * E);
                if (with_features && spec_.feature_block()) {
                    T* fr = feat_rows + r * F;
                    T* ft = feat_rows + (batch + r) * F;
                    std::fill(fr, fr + F, T(0));
                    std::fill(ft, ft + F, T(0));
                    if (first_reg) std::copy(dr + Ec, dr + Ec + F, fr);
                    if (first_tgt) std::copy(dt + Ec, dt + Ec + F, ft);
                }
            }
        });
        if (with_features && feature_product()) feature_product_gradients(params, features_, dz, batch, feat_rows,
                                                                          n_threads);
    }

    std::vector<GeneRowGradients<T>> graph_gradients() const override {
        if (!spec_.graph_block()) return {};
        return {reg_.graph_row_gradients(), tgt_.graph_row_gradients()};
    }

    std::vector<std::pair<std::string, index_t>> layers() const override {
        std::vector<std::pair<std::string, index_t>> out;
        const auto outputs = head_.layer_outputs();
        for (size_t l = 0; l < outputs.size(); ++l) out.push_back({"head." + std::to_string(l), outputs[l].second});
        return out;
    }

    void predict(const T* params, const T* buffers, const T* features, const index_t* pairs, index_t n, T* logits,
                 int n_threads) const override {
        this->check_graph();
        pair_chunks(params, buffers, features, pairs, n, n_threads, [&](const MLP<T>& head, index_t start, index_t c) {
            const T* out = head.layer_outputs().back().first;
            std::copy(out, out + c, logits + start);
        });
    }

    void layer_outputs(const T* params, const T* buffers, const T* features, const index_t* pairs, index_t n,
                       T* const* outs, int n_threads) const override {
        this->check_graph();
        pair_chunks(params, buffers, features, pairs, n, n_threads, [&](const MLP<T>& head, index_t start, index_t c) {
            const auto layers = head.layer_outputs();
            for (size_t l = 0; l < layers.size(); ++l) {
                const auto [rows, width] = layers[l];
                std::copy(rows, rows + c * width, outs[l] + start * width);
            }
        });
    }

    // Logits of every (regulator, target) pair of two gene lists, evaluation mode,
    // row-major (n_reg x n_tgt). Batch norm's evaluation affine map is folded into
    // each layer once per call (MLP::folded_for_evaluation) and every layer's weights
    // are packed once per call. The first layer of pair (r, t) is bias + part_reg[r]
    // + part_tgt[t] + (e_r * e_t) W_prod (+ (x_r * x_t) W_fprod with feature
    // interaction); a product block of regulator r with a block of targets is one
    // matrix product, e_t (diag(e_r) W_prod), whose B is packed once per regulator (a group of up to kGridRegulators at a time, fewer
    // when their packed blocks would pass kGridProductBytes). Tasks are
    // chunks of kGridChunk targets handed to the threads as they come free; a task
    // runs each regulator of the group with its chunk, kGridBlock pairs at a time
    // through every layer, bias and ReLU applied while the block is in cache
    // (gemm_packed), so the chunk's part rows, embeddings and
    // the block's layer outputs stay in the core's cache. The same logits as predict
    // up to float rounding (the folding); each logit is computed by one thread in an
    // order that does not depend on the block, chunk or thread, so the grid is
    // bit-identical for any n_threads.
    void score_grid(const T* params, const T* buffers, const T* features, const index_t* regs, index_t n_reg,
                    const index_t* tgts, index_t n_tgt, T* out, int n_threads) const {
        this->check_graph();
        const index_t H = head_.first_width(), E = spec_.embedding_dim, F = spec_.n_features;
        const auto layers = head_.folded_for_evaluation(params, buffers);
        const auto& L0 = layers[0];
        // The per-gene parts in the folded first layer: each regulator's row, bias
        // and shift included (base), and each target's (part_tgt), both scaled.
        std::vector<T> base = parts(reg_, params, features, regs, n_reg, n_threads);
        std::vector<T> part_tgt = parts(tgt_, params, features, tgts, n_tgt, n_threads);
        parallel_for(n_threads, ceil_div(n_reg + n_tgt, 256), 2.0 * double(n_reg + n_tgt) * H, [&](index_t b) {
            for (index_t g = b * 256; g < std::min(n_reg + n_tgt, b * 256 + 256); ++g) {
                if (g < n_reg)
                    scale_row<T>(base.data() + g * H, L0.scale.data(), L0.bias.data(), H);
                else
                    scale_row<T>(part_tgt.data() + (g - n_reg) * H, L0.scale.data(), nullptr, H);
            }
        });
        const bool has_product = spec_.product_block();
        std::vector<T> emb_tgt;
        if (has_product) {
            resize_buffer(emb_tgt, n_tgt * E, "the targets' embeddings");
            for (index_t j = 0; j < n_tgt; ++j)
                std::copy(embedding(params, tgts[j]), embedding(params, tgts[j]) + E, emb_tgt.data() + j * E);
        }
        const bool has_fproduct = feature_product();
        std::vector<T> x_tgt;
        if (has_fproduct) {
            resize_buffer(x_tgt, n_tgt * F, "the targets' node features");
            for (index_t j = 0; j < n_tgt; ++j)
                std::copy(feature_row(features, tgts[j]), feature_row(features, tgts[j]) + F, x_tgt.data() + j * F);
        }
        // Layers after the first, packed once; a last layer of one unit is a dot product per pair.
        const size_t n_layers = layers.size();
        const bool dot_last = n_layers > 1 && layers.back().out == 1;
        std::vector<PackedB<T>> packed(n_layers);
        for (size_t l = 1; l < n_layers; ++l)
            if (!(dot_last && l + 1 == n_layers))
                packed[l].pack(layers[l].in, layers[l].out, layers[l].weight.data(), layers[l].out);
        index_t widest = 0;
        for (const auto& L : layers) widest = std::max(widest, L.out);
        // folded rows of the product blocks: e_reg * e_tgt (E x H) and x_reg * x_tgt (F x H)
        const T* W_prod = L0.weight.data() + col_prod_ * H;
        const T* W_fprod = L0.weight.data() + col_fprod_ * H;
        const index_t n_chunks = ceil_div(n_tgt, kGridChunk);
        const index_t block_rows = (has_product ? E : 0) + (has_fproduct ? F : 0);
        const index_t per_group = std::clamp<index_t>(
            kGridProductBytes / std::max<index_t>(1, block_rows * H * static_cast<index_t>(sizeof(T))), 1,
            kGridRegulators);
        const size_t group_size = static_cast<size_t>(std::min(n_reg, per_group));
        std::vector<PackedB<T>> products(has_product ? group_size : 0), fproducts(has_fproduct ? group_size : 0);
        for (index_t g0 = 0; g0 < n_reg; g0 += per_group) {
            const index_t group = std::min(per_group, n_reg - g0);
            if (has_product || has_fproduct)  // diag(e_r) W_prod and diag(x_r) W_fprod of each regulator, packed
                parallel_tasks(
                    n_threads, group, [&] { return std::vector<T>(static_cast<size_t>(std::max(E, F) * H)); },
                    [&](std::vector<T>& scaled, index_t q) {
                        if (has_product) {
                            scale_rows(embedding(params, regs[g0 + q]), W_prod, E, H, scaled.data());
                            products[static_cast<size_t>(q)].pack(E, H, scaled.data(), H);
                        }
                        if (has_fproduct) {
                            scale_rows(feature_row(features, regs[g0 + q]), W_fprod, F, H, scaled.data());
                            fproducts[static_cast<size_t>(q)].pack(F, H, scaled.data(), H);
                        }
                    });
            parallel_tasks(
                n_threads, n_chunks,
                [&] {
                    GridWorkspace w;
                    resize_buffer(w.rows[0], kGridBlock * widest, "a scoring thread's layer outputs");
                    resize_buffer(w.rows[1], kGridBlock * widest, "a scoring thread's layer outputs");
                    return w;
                },
                [&](GridWorkspace& w, index_t task) {
                    const index_t start = task * kGridChunk, stop = std::min(n_tgt, start + kGridChunk);
                    for (index_t i = g0; i < g0 + group; ++i)
                        for (index_t b0 = start; b0 < stop; b0 += kGridBlock)
                            grid_block(layers, packed, has_product ? &products[static_cast<size_t>(i - g0)] : nullptr,
                                       has_fproduct ? &fproducts[static_cast<size_t>(i - g0)] : nullptr,
                                       base.data() + i * H, part_tgt.data() + b0 * H,
                                       has_product ? emb_tgt.data() + b0 * E : nullptr,
                                       has_fproduct ? x_tgt.data() + b0 * F : nullptr, std::min(kGridBlock, stop - b0),
                                       dot_last, w, out + i * n_tgt + b0);
                });
        }
    }

   private:
    // n pairs through the head in evaluation mode: each role's parts for its distinct
    // genes of the call, then chunks of pairs handed to the threads as they come free,
    // each thread running a chunk through the first layer and the later layers alone
    // (no waiting on the other between layers) with its own copy of the head's
    // buffers; done(head copy, start, count) then reads the chunk's layer outputs.
    template <class Done>
    void pair_chunks(const T* params, const T* buffers, const T* features, const index_t* pairs, index_t n,
                     int n_threads, Done&& done) const {
        BatchGenes regs, tgts;
        regs.build(pairs, n, spec_.id_space(), 2);
        tgts.build(pairs + 1, n, spec_.id_space(), 2);
        const std::vector<T> part_reg = parts(reg_, params, features, regs.genes.data(), regs.size(), n_threads);
        const std::vector<T> part_tgt = parts(tgt_, params, features, tgts.genes.data(), tgts.size(), n_threads);
        const index_t chunk = this->scoring_chunk(n, n_threads);
        parallel_tasks(
            n_threads, ceil_div(n, chunk),
            [&] { return workspace(chunk, spec_.product_block() ? chunk : 0, feature_product() ? chunk : 0); },
            [&](ScoringWorkspace& w, index_t task) {
                const index_t start = task * chunk, c = std::min(chunk, n - start);
                first_layer(params, features, c, regs.position.data() + start, part_reg.data(),
                            tgts.position.data() + start, part_tgt.data(), pairs + 2 * start, pairs + 2 * start + 1,
                            2, w.product.data(), w.feature_product.data(), w.head.first_preactivation(), 1);
                w.head.forward_from_first_preactivation(params, buffers, c, 1);
                done(w.head, start, c);
            });
    }

    // The first layer's pre-activation of c pairs into z (c x H): for pair r, bias +
    // row reg_pos[r] of reg_parts + row tgt_pos[r] of tgt_parts, plus the product
    // blocks (e_reg * e_tgt) W_prod and (x_reg * x_tgt) W_fprod when the model has
    // them and the pairs' genes are given (reg_ids[r * stride], tgt_ids[r * stride];
    // product: c x E scratch, fproduct: c x F, kept for backward).
    void first_layer(const T* params, const T* features, index_t c, const index_t* reg_pos, const T* reg_parts,
                     const index_t* tgt_pos, const T* tgt_parts, const index_t* reg_ids, const index_t* tgt_ids,
                     index_t stride, T* product, T* fproduct, T* z, int n_threads) const {
        const index_t H = head_.first_width(), E = spec_.embedding_dim;
        const T* bias = params + head_.first_bias();
        const bool has_product = spec_.product_block() && reg_ids;
        parallel_for(n_threads, ceil_div(c, 64), double(c) * (H + E), [&](index_t b) {
            for (index_t r = b * 64; r < std::min(c, b * 64 + 64); ++r)
                first_layer_row(bias, reg_parts + reg_pos[r] * H, tgt_parts + tgt_pos[r] * H, H,
                                has_product ? embedding(params, reg_ids[r * stride]) : nullptr,
                                has_product ? embedding(params, tgt_ids[r * stride]) : nullptr, E, z + r * H,
                                has_product ? product + r * E : nullptr);
        });
        if (has_product)
            gemm<T>(c, H, E, {product, E, 1}, {params + head_.first_weight() + col_prod_ * H, H, 1}, z, H, true,
                    n_threads);
        if (feature_product() && reg_ids) {
            const index_t F = spec_.n_features;
            parallel_for(n_threads, ceil_div(c, 64), double(c) * F, [&](index_t b) {
                for (index_t r = b * 64; r < std::min(c, b * 64 + 64); ++r) {
                    const T* xr = feature_row(features, reg_ids[r * stride]);
                    const T* xt = feature_row(features, tgt_ids[r * stride]);
                    for (index_t k = 0; k < F; ++k) fproduct[r * F + k] = xr[k] * xt[k];
                }
            });
            gemm<T>(c, H, F, {fproduct, F, 1}, {params + head_.first_weight() + col_fprod_ * H, H, 1}, z, H, true,
                    n_threads);
        }
    }

    // The feature product block's node-feature gradients, per pair and role: with
    // d = dz W_fprod^T, d(x_reg) += d * x_tgt and d(x_tgt) += d * x_reg, added to the
    // pairs' rows (regulators' rows first, then the targets').
    void feature_product_gradients(const T* params, const T* features, const T* dz, index_t batch, T* feat_rows,
                                   int n_threads) {
        const index_t H = head_.first_width(), F = spec_.n_features;
        T* d = grow_to(d_feature_product_, batch * F);
        gemm<T>(batch, F, H, {dz, H, 1}, {params + head_.first_weight() + col_fprod_ * H, 1, H}, d, F, false,
                n_threads);
        const BatchGenes &regs = reg_.genes(), &tgts = tgt_.genes();
        parallel_for(n_threads, ceil_div(batch, 64), 2.0 * batch * F, [&](index_t b) {
            for (index_t r = b * 64; r < std::min(batch, b * 64 + 64); ++r) {
                const T* xr = feature_row(features, regs.gene_of(r));
                const T* xt = feature_row(features, tgts.gene_of(r));
                for (index_t k = 0; k < F; ++k) {
                    feat_rows[r * F + k] += d[r * F + k] * xt[k];
                    feat_rows[(batch + r) * F + k] += d[r * F + k] * xr[k];
                }
            }
        });
    }

    bool feature_product() const { return spec_.feature_interaction && spec_.feature_block(); }
    // The node-feature row a model id reads (g + n_genes: gene g's).
    const T* feature_row(const T* features, index_t id) const {
        return features + spec_.feature_row(id) * spec_.n_features;
    }
    // out (k x H) = diag(v) M for a (k x H) block M of W: a regulator's product block
    // for every target at once.
    static void scale_rows(const T* v, const T* M, index_t k, index_t H, T* out) {
        for (index_t i = 0; i < k; ++i)
            for (index_t h = 0; h < H; ++h) out[i * H + h] = v[i] * M[i * H + h];
    }

    // The embedding row a model id reads (the unknown row for a gene without its identity).
    const T* embedding(const T* params, index_t id) const {
        return params + spec_.embedding_row(id) * spec_.embedding_dim;
    }

    // One role's parts for a list of genes (n x H).
    std::vector<T> parts(const GeneLayer<T>& role, const T* params, const T* features, const index_t* genes, index_t n,
                         int n_threads) const {
        std::vector<T> out, rows;
        resize_buffer(out, n * head_.first_width(), "the first layer's per-gene parts");
        role.parts(params, features, genes, n, out.data(), rows, n_threads);
        return out;
    }

    // One thread's state in predict and layer_outputs: its own copy of the head (whose
    // work buffers the evaluation forward writes) and `product_rows` rows of a
    // product buffer (E wide: a chunk's e_reg * e_tgt).
    struct ScoringWorkspace {
        MLP<T> head;
        std::vector<T> product, feature_product;
    };
    ScoringWorkspace workspace(index_t chunk, index_t product_rows, index_t feature_product_rows) const {
        const auto size = [](index_t n) { return static_cast<size_t>(n); };
        return {head_.evaluation_copy(chunk), std::vector<T>(size(product_rows * spec_.embedding_dim)),
                std::vector<T>(size(feature_product_rows * spec_.n_features))};
    }

    // score_grid's tiling: a task is a chunk of kGridChunk targets (its part rows and
    // embeddings, 384 x (256 + 64) floats, stay in a core's L2 cache while every
    // regulator of a group runs with them), run kGridBlock pairs at a time through
    // every layer (192 x 256 floats of layer outputs); product blocks are packed for
    // kGridRegulators regulators at a time (64 KB each at the default size, 4 MB in
    // all; with 512-dim embeddings 512 KB each, so 16 at a time within 8 MB).
    static constexpr index_t kGridBlock = 192, kGridChunk = 384, kGridRegulators = 64;
    static constexpr index_t kGridProductBytes = index_t(8) << 20;

    // One thread's state in score_grid: two blocks of layer outputs (a layer reads
    // one and writes the other) and gemm_packed's scratch.
    struct GridWorkspace {
        std::vector<T> rows[2], scratch;
    };

    // m pairs of one regulator (its folded first-layer row `base`, its packed product
    // blocks) with m consecutive targets (their scaled part rows, embeddings and node
    // features) through every folded layer: their logits into out[0, m).
    void grid_block(const std::vector<typename MLP<T>::FoldedLayer>& layers, const std::vector<PackedB<T>>& packed,
                    const PackedB<T>* product, const PackedB<T>* fproduct, const T* base, const T* part_tgt,
                    const T* emb_tgt, const T* x_tgt, index_t m, bool dot_last, GridWorkspace& w, T* out) const {
        const auto& L0 = layers[0];
        const index_t H = L0.out, E = spec_.embedding_dim, F = spec_.n_features;
        T* z = w.rows[0].data();
        for (index_t r = 0; r < m; ++r) add_rows(base, part_tgt + r * H, H, z + r * H);
        if (product) gemm_packed<T>(m, emb_tgt, E, *product, z, H, nullptr, true, L0.relu && !fproduct, w.scratch);
        if (fproduct) gemm_packed<T>(m, x_tgt, F, *fproduct, z, H, nullptr, true, L0.relu, w.scratch);
        if (!product && !fproduct && L0.relu) relu_in_place(z, m * H);
        const T* cur = z;
        int slot = 0;
        for (size_t l = 1; l < layers.size(); ++l) {
            const auto& L = layers[l];
            if (dot_last && l + 1 == layers.size()) {
                for (index_t r = 0; r < m; ++r) out[r] = L.bias[0] + dot_lanes(cur + r * L.in, L.weight.data(), L.in);
                return;
            }
            slot ^= 1;
            T* next = w.rows[slot].data();
            gemm_packed(m, cur, L.in, packed[l], next, L.out, L.bias.data(), false, L.relu, w.scratch);
            cur = next;
        }
        for (index_t r = 0; r < m; ++r) out[r] = cur[r * layers.back().out];  // the last layer's one column
    }

    MLP<T> make_head() {
        const index_t E = spec_.use_embeddings ? spec_.embedding_dim : 0;
        const index_t F = spec_.feature_block() ? spec_.n_features : 0;
        add_embedding_table(layout_, spec_);
        this->add_graph_encoder();
        col_e_reg_ = 0;
        col_e_tgt_ = E;
        col_x_reg_ = 2 * E;
        col_x_tgt_ = 2 * E + F;
        col_prod_ = 2 * E + 2 * F;
        col_fprod_ = col_prod_ + (spec_.product_block() ? E : 0);
        col_g_reg_ = col_fprod_ + (feature_product() ? F : 0);
        col_g_tgt_ = col_g_reg_ + this->graph_dim();
        width_ = col_g_tgt_ + this->graph_dim();
        std::vector<index_t> sizes = spec_.hidden;
        sizes.push_back(1);
        return MLP<T>(layout_, "head.", width_, sizes, /*linear_output=*/true, spec_, /*stream=*/1);
    }

    index_t col_e_reg_ = 0, col_e_tgt_ = 0, col_x_reg_ = 0, col_x_tgt_ = 0, col_prod_ = 0, col_fprod_ = 0,
            col_g_reg_ = 0, col_g_tgt_ = 0, width_ = 0;
    MLP<T> head_;
    GeneLayer<T> reg_, tgt_;  // each role's part of the first layer, once per distinct gene
    std::vector<T> product_, d_product_;  // per pair: e_reg * e_tgt, and its gradient
    std::vector<T> feature_product_, d_feature_product_;  // per pair: x_reg * x_tgt, and d(loss)/d(it)
    const T* features_ = nullptr;                         // the node features of the last forward call
};

}  // namespace grnfast
