// Cross-encoder: one MLP reads the pair jointly,
//   [e_reg, e_tgt, x_reg, x_tgt, e_reg * e_tgt] -> hidden layers -> one logit.
#pragma once
#include "network.hpp"

namespace grnfast {

template <class T>
class CrossEncoder : public Network<T> {
    using Network<T>::spec_;
    using Network<T>::layout_;

   public:
    explicit CrossEncoder(const ModelSpec& spec) : Network<T>(spec), head_(make_head()) {}

    void reserve(index_t max_batch) override {
        head_.reserve(max_batch);
        input_.resize(static_cast<size_t>(max_batch * width_));
        d_input_.resize(input_.size());
    }

    void forward(const T* params, T* buffers, const T* features, const index_t* reg, const index_t* tgt, index_t batch,
                 bool training, const DropoutContext& ctx, T* logits, int n_threads) override {
        T* in = input_.data();
        this->gather_gene_block(params, features, reg, batch, in, width_, col_e_reg_, col_x_reg_, n_threads);
        this->gather_gene_block(params, features, tgt, batch, in, width_, col_e_tgt_, col_x_tgt_, n_threads);
        if (spec_.product_block()) {
            const index_t E = spec_.embedding_dim;
            parallel_for(n_threads, ceil_div(batch, 64), double(batch) * E, [&](index_t b) {
                for (index_t r = b * 64; r < std::min(batch, b * 64 + 64); ++r) {
                    T* row = in + r * width_;
                    for (index_t j = 0; j < E; ++j) row[col_prod_ + j] = row[col_e_reg_ + j] * row[col_e_tgt_ + j];
                }
            });
        }
        const T* out = head_.forward(params, buffers, in, batch, training, ctx, n_threads);
        std::copy(out, out + batch, logits);
    }

    void backward(const T* params, const T* dlogits, index_t batch, T* grads, T* emb_rows, T* feat_rows,
                  int n_threads) override {
        head_.backward(params, grads, dlogits, batch, d_input_.data(), n_threads);
        const index_t E = spec_.embedding_dim, F = spec_.n_features;
        const T* in = input_.data();
        const T* d = d_input_.data();
        parallel_for(n_threads, ceil_div(batch, 64), 4.0 * batch * width_, [&](index_t b) {
            for (index_t r = b * 64; r < std::min(batch, b * 64 + 64); ++r) {
                const T* row = in + r * width_;
                const T* drow = d + r * width_;
                if (spec_.use_embeddings) {
                    T* g_reg = emb_rows + r * E;
                    T* g_tgt = emb_rows + (batch + r) * E;
                    for (index_t j = 0; j < E; ++j) {
                        g_reg[j] = drow[col_e_reg_ + j];
                        g_tgt[j] = drow[col_e_tgt_ + j];
                    }
                    if (spec_.product_block())
                        for (index_t j = 0; j < E; ++j) {
                            g_reg[j] += drow[col_prod_ + j] * row[col_e_tgt_ + j];
                            g_tgt[j] += drow[col_prod_ + j] * row[col_e_reg_ + j];
                        }
                }
                if (feat_rows && spec_.feature_block()) {
                    std::copy(drow + col_x_reg_, drow + col_x_reg_ + F, feat_rows + r * F);
                    std::copy(drow + col_x_tgt_, drow + col_x_tgt_ + F, feat_rows + (batch + r) * F);
                }
            }
        });
    }

   private:
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
    std::vector<T> input_, d_input_;
};

}  // namespace grnfast
