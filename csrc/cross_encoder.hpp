// Cross-encoder: one MLP reads the pair jointly,
//   [e_reg, e_tgt, x_reg, x_tgt, e_reg * e_tgt] -> hidden layers -> one logit.
#pragma once
#include "embedding.hpp"
#include "network.hpp"

namespace grnfast {

// One pair's row of the split first layer: z = bias + part_reg + part_tgt (H values)
// and, when the model has a product block, product = e_reg * e_tgt (E values).
template <class T>
inline void first_layer_row(const T* __restrict bias, const T* __restrict part_reg, const T* __restrict part_tgt,
                            index_t H, const T* __restrict e_reg, const T* __restrict e_tgt, index_t E,
                            T* __restrict z, T* __restrict product) {
    for (index_t h = 0; h < H; ++h) z[h] = bias[h] + part_reg[h] + part_tgt[h];
    if (product)
        for (index_t k = 0; k < E; ++k) product[k] = e_reg[k] * e_tgt[k];
}
__attribute__((target_clones("avx512f", "avx2", "default"))) inline void first_layer_row_f32(
    const float* __restrict bias, const float* __restrict part_reg, const float* __restrict part_tgt, index_t H,
    const float* __restrict e_reg, const float* __restrict e_tgt, index_t E, float* __restrict z,
    float* __restrict product) {
    first_layer_row<float>(bias, part_reg, part_tgt, H, e_reg, e_tgt, E, z, product);
}
inline void first_layer_row(const float* bias, const float* part_reg, const float* part_tgt, index_t H,
                            const float* e_reg, const float* e_tgt, index_t E, float* z, float* product) {
    first_layer_row_f32(bias, part_reg, part_tgt, H, e_reg, e_tgt, E, z, product);
}

// One pair's embedding-gradient rows: g_reg = d_reg + d(prod) * e_tgt and g_tgt =
// d_tgt + d(prod) * e_reg, where d_reg / d_tgt (null: zero) carry the gene's
// per-gene gradient and d_prod (null without a product block) the pair's own.
template <class T>
inline void pair_embedding_gradients(const T* __restrict d_reg, const T* __restrict d_tgt,
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
__attribute__((target_clones("avx512f", "avx2", "default"))) inline void pair_embedding_gradients_f32(
    const float* __restrict d_reg, const float* __restrict d_tgt, const float* __restrict d_prod,
    const float* __restrict e_reg, const float* __restrict e_tgt, index_t E, float* __restrict g_reg,
    float* __restrict g_tgt) {
    pair_embedding_gradients<float>(d_reg, d_tgt, d_prod, e_reg, e_tgt, E, g_reg, g_tgt);
}
inline void pair_embedding_gradients(const float* d_reg, const float* d_tgt, const float* d_prod,
                                     const float* e_reg, const float* e_tgt, index_t E, float* g_reg,
                                     float* g_tgt) {
    pair_embedding_gradients_f32(d_reg, d_tgt, d_prod, e_reg, e_tgt, E, g_reg, g_tgt);
}

template <class T>
class CrossEncoder : public Network<T> {
    using Network<T>::spec_;
    using Network<T>::layout_;

   public:
    explicit CrossEncoder(const ModelSpec& spec) : Network<T>(spec), head_(make_head()) {}

    void reserve(index_t max_batch) override {
        head_.reserve(max_batch);
        const index_t E = spec_.embedding_dim, F = spec_.n_features, H = head_.first_width();
        if (spec_.product_block())
            for (auto* v : {&product_, &d_product_}) grow_to(*v, max_batch * E);
        for (RoleBlock* role : {&reg_, &tgt_}) {
            if (spec_.use_embeddings)
                for (auto* v : {&role->emb, &role->d_emb}) grow_to(*v, max_batch * E);
            if (spec_.feature_block())
                for (auto* v : {&role->feat, &role->d_feat}) grow_to(*v, max_batch * F);
            for (auto* v : {&role->part, &role->dz_sum}) grow_to(*v, max_batch * H);
        }
    }

    // The first layer as in predict, for a batch: each role's part once per distinct
    // gene of the batch (a prior's few regulators recur in every batch), then per
    // pair the sum of the two parts and the product block.
    void forward(const T* params, T* buffers, const T* features, const index_t* reg, const index_t* tgt, index_t batch,
                 bool training, const DropoutContext& ctx, T* logits, int n_threads) override {
        const index_t H = head_.first_width(), E = spec_.embedding_dim;
        const T* bias = params + head_.first_bias();
        role_forward(reg_, params, features, reg, batch, col_e_reg_, col_x_reg_, n_threads);
        role_forward(tgt_, params, features, tgt, batch, col_e_tgt_, col_x_tgt_, n_threads);
        const bool has_product = spec_.product_block();
        T* z = head_.first_preactivation();
        parallel_for(n_threads, ceil_div(batch, 64), double(batch) * (H + E), [&](index_t b) {
            for (index_t r = b * 64; r < std::min(batch, b * 64 + 64); ++r)
                first_layer_row(bias, reg_.part.data() + reg_.genes.position[static_cast<size_t>(r)] * H,
                                tgt_.part.data() + tgt_.genes.position[static_cast<size_t>(r)] * H, H,
                                has_product ? params + reg[r] * E : nullptr,
                                has_product ? params + tgt[r] * E : nullptr, E, z + r * H,
                                has_product ? product_.data() + r * E : nullptr);
        });
        if (has_product)
            gemm<T>(batch, H, E, {product_.data(), E, 1}, {params + head_.first_weight() + col_prod_ * H, H, 1}, z,
                    H, true, n_threads);
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
        role_backward(reg_, params, grads, dz, batch, col_e_reg_, col_x_reg_, feat_rows != nullptr, n_threads);
        role_backward(tgt_, params, grads, dz, batch, col_e_tgt_, col_x_tgt_, feat_rows != nullptr, n_threads);
        // One row per (pair, role), which the trainer sums per gene: a gene's per-gene
        // gradient rides on its first pair's row, the product term on every pair's.
        parallel_for(n_threads, ceil_div(batch, 64), 4.0 * batch * (E + F), [&](index_t b) {
            for (index_t r = b * 64; r < std::min(batch, b * 64 + 64); ++r) {
                const index_t pr = reg_.genes.position[static_cast<size_t>(r)];
                const index_t pt = tgt_.genes.position[static_cast<size_t>(r)];
                const bool first_reg = reg_.genes.is_first(r), first_tgt = tgt_.genes.is_first(r);
                if (spec_.use_embeddings)
                    pair_embedding_gradients(first_reg ? reg_.d_emb.data() + pr * E : nullptr,
                                             first_tgt ? tgt_.d_emb.data() + pt * E : nullptr,
                                             has_product ? d_product_.data() + r * E : nullptr,
                                             reg_.emb.data() + pr * E, tgt_.emb.data() + pt * E, E,
                                             emb_rows + r * E, emb_rows + (batch + r) * E);
                if (feat_rows && spec_.feature_block()) {
                    T* fr = feat_rows + r * F;
                    T* ft = feat_rows + (batch + r) * F;
                    std::fill(fr, fr + F, T(0));
                    std::fill(ft, ft + F, T(0));
                    if (first_reg) std::copy(reg_.d_feat.data() + pr * F, reg_.d_feat.data() + (pr + 1) * F, fr);
                    if (first_tgt) std::copy(tgt_.d_feat.data() + pt * F, tgt_.d_feat.data() + (pt + 1) * F, ft);
                }
            }
        });
    }

    std::vector<std::pair<std::string, std::pair<const T*, index_t>>> layer_outputs() const override {
        std::vector<std::pair<std::string, std::pair<const T*, index_t>>> out;
        const auto layers = head_.layer_outputs();
        for (size_t l = 0; l < layers.size(); ++l) out.push_back({"head." + std::to_string(l), layers[l]});
        return out;
    }

    // Same split as score_grid, for a list of pairs: per-gene parts for the distinct
    // genes of each role, then the product block and the later layers per pair.
    // Chunks of pairs go to the threads as they come free, each thread running a
    // chunk start to end alone (no waiting on the other between layers).
    void predict(const T* params, const T* buffers, const T* features, const index_t* pairs, index_t n, T* logits,
                 int n_threads) override {
        const index_t H = head_.first_width(), E = spec_.embedding_dim;
        const T* W = params + head_.first_weight();
        const T* bias = params + head_.first_bias();
        BatchGenes regs, tgts;
        regs.build(pairs, n, spec_.n_genes, 2);
        tgts.build(pairs + 1, n, spec_.n_genes, 2);
        const std::vector<T> part_reg =
            gene_part(params, features, regs.genes.data(), regs.size(), col_e_reg_, col_x_reg_, n_threads);
        const std::vector<T> part_tgt =
            gene_part(params, features, tgts.genes.data(), tgts.size(), col_e_tgt_, col_x_tgt_, n_threads);
        const bool has_product = spec_.product_block();
        const index_t chunk = this->scoring_chunk(n, n_threads);
        parallel_tasks(
            n_threads, ceil_div(n, chunk), [&] { return workspace(chunk, has_product ? chunk * E : 0); },
            [&](ScoringWorkspace& w, index_t task) {
                const index_t start = task * chunk, c = std::min(chunk, n - start);
                T* z = w.head.first_preactivation();
                for (index_t r = 0; r < c; ++r) {
                    const index_t i = start + r;
                    first_layer_row(bias, part_reg.data() + regs.position[static_cast<size_t>(i)] * H,
                                    part_tgt.data() + tgts.position[static_cast<size_t>(i)] * H, H,
                                    has_product ? params + pairs[2 * i] * E : nullptr,
                                    has_product ? params + pairs[2 * i + 1] * E : nullptr, E, z + r * H,
                                    has_product ? w.product.data() + r * E : nullptr);
                }
                if (has_product)
                    gemm<T>(c, H, E, {w.product.data(), E, 1}, {W + col_prod_ * H, H, 1}, z, H, true, 1);
                const T* out = w.head.forward_from_first_preactivation(params, buffers, c, 1);
                std::copy(out, out + c, logits + start);
            });
    }

    // Logits of every (regulator, target) pair of two gene lists, evaluation mode,
    // row-major (n_reg x n_tgt). The first layer splits into a part that depends on
    // the regulator alone, one on the target alone (each computed once per gene),
    // and the product block: for a regulator r, (e_r * e_t) W_prod = e_t (diag(e_r)
    // W_prod), one matrix product over all targets. Tasks (a regulator and a chunk
    // of targets) go to the threads as they come free, as in predict.
    void score_grid(const T* params, const T* buffers, const T* features, const index_t* regs, index_t n_reg,
                    const index_t* tgts, index_t n_tgt, T* out, int n_threads) {
        const index_t H = head_.first_width(), E = spec_.embedding_dim;
        const T* W = params + head_.first_weight();
        const T* bias = params + head_.first_bias();
        const std::vector<T> part_reg = gene_part(params, features, regs, n_reg, col_e_reg_, col_x_reg_, n_threads);
        const std::vector<T> part_tgt = gene_part(params, features, tgts, n_tgt, col_e_tgt_, col_x_tgt_, n_threads);
        const bool has_product = spec_.product_block();
        std::vector<T> emb_tgt;
        if (has_product) {
            emb_tgt.resize(static_cast<size_t>(n_tgt * E));
            embedding_gather(n_tgt, E, params, tgts, emb_tgt.data(), E, n_threads);
        }
        const index_t chunk = std::min(this->scoring_chunk(n_reg * n_tgt, n_threads), std::max<index_t>(n_tgt, 1));
        const index_t n_chunks = ceil_div(n_tgt, chunk);
        parallel_tasks(
            n_threads, n_reg * n_chunks, [&] { return workspace(chunk, has_product ? E * H : 0); },
            [&](ScoringWorkspace& w, index_t task) {
                const index_t i = task / n_chunks, start = task % n_chunks * chunk, c = std::min(chunk, n_tgt - start);
                if (has_product && w.regulator != i) {  // diag(e_r) W_prod, in the workspace's product buffer
                    const T* e = params + regs[i] * E;
                    for (index_t k = 0; k < E; ++k)
                        for (index_t h = 0; h < H; ++h) w.product[k * H + h] = e[k] * W[(col_prod_ + k) * H + h];
                    w.regulator = i;
                }
                T* z = w.head.first_preactivation();
                const T* no_embedding = nullptr;  // the product block is the matrix product below
                for (index_t r = 0; r < c; ++r)
                    first_layer_row(bias, part_reg.data() + i * H, part_tgt.data() + (start + r) * H, H, no_embedding,
                                    no_embedding, E, z + r * H, static_cast<T*>(nullptr));
                if (has_product)
                    gemm<T>(c, H, E, {emb_tgt.data() + start * E, E, 1}, {w.product.data(), H, 1}, z, H, true, 1);
                const T* logits = w.head.forward_from_first_preactivation(params, buffers, c, 1);
                std::copy(logits, logits + c, out + i * n_tgt + start);
            });
    }

   private:
    // One thread's scoring state: its own copy of the head (whose work buffers the
    // evaluation forward writes), a product buffer, the regulator it holds.
    struct ScoringWorkspace {
        MLP<T> head;
        std::vector<T> product;
        index_t regulator = -1;
    };
    ScoringWorkspace workspace(index_t chunk, index_t product_size) const {
        return {head_.evaluation_copy(chunk), std::vector<T>(static_cast<size_t>(product_size))};
    }

    // The first layer's contribution of one role's [embedding, features] for each of n
    // genes (part, n x H), gathering their rows into emb_rows (n x E) and feat_rows (n x F).
    void role_part(const T* params, const T* features, const index_t* genes, index_t n, index_t emb_col,
                   index_t feat_col, T* emb_rows, T* feat_rows, T* part, int n_threads) const {
        const index_t H = head_.first_width(), E = spec_.embedding_dim, F = spec_.n_features;
        const T* W = params + head_.first_weight();
        bool written = false;
        if (spec_.use_embeddings) {
            embedding_gather(n, E, params, genes, emb_rows, E, n_threads);
            gemm<T>(n, H, E, {emb_rows, E, 1}, {W + emb_col * H, H, 1}, part, H, false, n_threads);
            written = true;
        }
        if (spec_.feature_block()) {
            embedding_gather(n, F, features, genes, feat_rows, F, n_threads);
            gemm<T>(n, H, F, {feat_rows, F, 1}, {W + feat_col * H, H, 1}, part, H, written, n_threads);
            written = true;
        }
        if (!written) std::fill(part, part + n * H, T(0));
    }

    // role_part for a list of genes, a few hundred at a time (bounded scratch).
    std::vector<T> gene_part(const T* params, const T* features, const index_t* genes, index_t n, index_t emb_col,
                             index_t feat_col, int n_threads) const {
        constexpr index_t kGenes = 256;
        const index_t H = head_.first_width(), m = std::min(n, kGenes);
        std::vector<T> part(static_cast<size_t>(n * H));
        std::vector<T> emb(static_cast<size_t>(m * spec_.embedding_dim));
        std::vector<T> feat(static_cast<size_t>(m * spec_.n_features));
        for (index_t g = 0; g < n; g += kGenes)
            role_part(params, features, genes + g, std::min(kGenes, n - g), emb_col, feat_col, emb.data(),
                      feat.data(), part.data() + g * H, n_threads);
        return part;
    }

    // One role's distinct genes in the current batch, their gathered [embedding,
    // features] rows, their first-layer part, and in backward the sum of d(z) over
    // each gene's pairs and the gradients of its rows.
    struct RoleBlock {
        BatchGenes genes;
        std::vector<T> emb, feat, part, dz_sum, d_emb, d_feat;
    };

    void role_forward(RoleBlock& role, const T* params, const T* features, const index_t* ids, index_t batch,
                      index_t emb_col, index_t feat_col, int n_threads) {
        role.genes.build(ids, batch, spec_.n_genes);
        role_part(params, features, role.genes.genes.data(), role.genes.size(), emb_col, feat_col, role.emb.data(),
                  role.feat.data(), role.part.data(), n_threads);
    }

    // d(z) summed per distinct gene, then that gene's share of the first layer's
    // weight gradient and the gradient of its rows (its features' only when asked).
    void role_backward(RoleBlock& role, const T* params, T* grads, const T* dz, index_t batch, index_t emb_col,
                       index_t feat_col, bool feature_gradient, int n_threads) {
        const index_t H = head_.first_width(), E = spec_.embedding_dim, F = spec_.n_features;
        const index_t W = head_.first_weight(), u = role.genes.size();
        group_sums(batch, H, dz, role.genes.position.data(), u, role.dz_sum.data(), n_threads);
        const MatView<T> dz_sum{role.dz_sum.data(), H, 1};
        if (spec_.use_embeddings) {
            gemm<T>(E, H, u, {role.emb.data(), 1, E}, dz_sum, grads + W + emb_col * H, H, false, n_threads);
            gemm<T>(u, E, H, dz_sum, {params + W + emb_col * H, 1, H}, role.d_emb.data(), E, false, n_threads);
        }
        if (spec_.feature_block()) {
            gemm<T>(F, H, u, {role.feat.data(), 1, F}, dz_sum, grads + W + feat_col * H, H, false, n_threads);
            if (feature_gradient)
                gemm<T>(u, F, H, dz_sum, {params + W + feat_col * H, 1, H}, role.d_feat.data(), F, false, n_threads);
        }
    }

    MLP<T> make_head() {
        const index_t E = spec_.use_embeddings ? spec_.embedding_dim : 0;
        const index_t F = spec_.feature_block() ? spec_.n_features : 0;
        if (spec_.use_embeddings) layout_.add_param("embedding", "embedding", {spec_.n_genes, spec_.embedding_dim});
        col_e_reg_ = 0;
        col_e_tgt_ = E;
        col_x_reg_ = 2 * E;
        col_x_tgt_ = 2 * E + F;
        col_prod_ = 2 * E + 2 * F;
        width_ = col_prod_ + (spec_.product_block() ? E : 0);
        std::vector<index_t> sizes = spec_.hidden;
        sizes.push_back(1);
        return MLP<T>(layout_, "head.", width_, sizes, /*linear_output=*/true, spec_, /*stream=*/1);
    }

    index_t col_e_reg_ = 0, col_e_tgt_ = 0, col_x_reg_ = 0, col_x_tgt_ = 0, col_prod_ = 0, width_ = 0;
    MLP<T> head_;
    RoleBlock reg_, tgt_;
    std::vector<T> product_, d_product_;  // per pair: e_reg * e_tgt, and its gradient
};

}  // namespace grnfast
