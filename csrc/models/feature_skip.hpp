// A linear map of a gene's node features added to its tower's output: out += x W
// (F x D). Through it the two genes' features meet in the score directly: the dot
// product of the two towers then holds (x_r W_r) . (x_t W_t), a bilinear form of the
// features, which deep towers that also read a learned embedding learn slowly or not
// at all on a few thousand pairs (issue 25's feature-only task: AUROC 0.64 without,
// near scikit-learn's MLP with). It is also what a gene without training pairs is
// scored by besides its untrained identity. With several vectors per gene (late
// interaction) the same x W is added to each: every regulator vector's best match
// then carries (x_r W_r) . (x_t W_t) once, so MaxSim's mean holds it exactly once.
#pragma once
#include <string>
#include <vector>

#include "core/parallel.hpp"
#include "kernels/gemm.hpp"
#include "models/layout.hpp"

namespace grnfast {

template <class T>
class FeatureSkip {
   public:
    // D: the width of one output vector; vectors: how many a gene has (D x vectors wide).
    FeatureSkip(Layout& layout, const std::string& prefix, const ModelSpec& spec, index_t D, index_t vectors)
        : n_genes_(spec.n_genes), F_(spec.n_features), D_(D), V_(vectors) {
        if (spec.feature_interaction && spec.feature_block())
            weight_ = layout.add_param(prefix + "features.weight", "skip_weight", {F_, D_});
    }

    bool enabled() const { return weight_ >= 0; }

    // Each of the vectors of out (n x vectors D) += x(ids[i * stride]) W for i < n;
    // rows: the gathered feature rows (n x F, kept for backward) and, with several
    // vectors, x W (n x D). ids are ModelSpec ids: g + n_genes is gene g's features too.
    void forward(const T* params, const T* features, const index_t* ids, index_t stride, index_t n, T* out,
                 std::vector<T>& rows, int n_threads) const {
        if (!enabled()) return;
        T* x = grow_to(rows, n * (F_ + D_));
        parallel_for(n_threads, ceil_div(n, 64), double(n) * F_, [&](index_t b) {
            for (index_t r = b * 64; r < std::min(n, b * 64 + 64); ++r) {
                const index_t id = ids[r * stride], g = id < n_genes_ ? id : id - n_genes_;
                std::copy(features + g * F_, features + (g + 1) * F_, x + r * F_);
            }
        });
        if (V_ == 1) return gemm<T>(n, D_, F_, {x, F_, 1}, {params + weight_, D_, 1}, out, D_, true, n_threads);
        T* s = x + n * F_;
        gemm<T>(n, D_, F_, {x, F_, 1}, {params + weight_, D_, 1}, s, D_, false, n_threads);
        parallel_for(n_threads, ceil_div(n, 64), double(n) * D_ * V_, [&](index_t b) {
            for (index_t r = b * 64; r < std::min(n, b * 64 + 64); ++r)
                for (index_t v = 0; v < V_; ++v)
                    for (index_t j = 0; j < D_; ++j) out[(r * V_ + v) * D_ + j] += s[r * D_ + j];
        });
    }

    // From d_out (n x vectors D) after forward with these rows: d(loss)/dW into grads;
    // with several vectors, their gradients are summed first (into rows, after x W).
    void backward(const T* params, T* grads, const T* d_out, index_t n, std::vector<T>& rows, int n_threads) const {
        if (!enabled()) return;
        const T* d = summed(d_out, n, rows, n_threads);
        gemm<T>(F_, D_, n, {rows.data(), 1, F_}, {d, D_, 1}, grads + weight_, D_, false, n_threads);
    }

    // Each row's node-feature gradient, d_out W^T, added to d_features (n x F), after backward.
    void feature_gradients(const T* params, const T* d_out, index_t n, const std::vector<T>& rows, T* d_features,
                           int n_threads) const {
        if (!enabled()) return;
        const T* d = V_ == 1 ? d_out : rows.data() + n * F_;
        gemm<T>(n, F_, D_, {d, D_, 1}, {params + weight_, 1, D_}, d_features, F_, true, n_threads);
    }

   private:
    // d_out summed over each row's vectors (n x D), in rows after the feature rows.
    const T* summed(const T* d_out, index_t n, std::vector<T>& rows, int n_threads) const {
        if (V_ == 1) return d_out;
        T* d = rows.data() + n * F_;
        parallel_for(n_threads, ceil_div(n, 64), double(n) * D_ * V_, [&](index_t b) {
            for (index_t r = b * 64; r < std::min(n, b * 64 + 64); ++r)
                for (index_t j = 0; j < D_; ++j) {
                    T sum = 0;
                    for (index_t v = 0; v < V_; ++v) sum += d_out[(r * V_ + v) * D_ + j];
                    d[r * D_ + j] = sum;
                }
        });
        return d;
    }

    index_t n_genes_, F_, D_, V_;
    index_t weight_ = -1;
};

}  // namespace grnfast
