// Global-norm gradient clipping fused with the Adam step.
//
// The clipping factor comes from the norm of the loss gradient alone (as with
// torch.nn.utils.clip_grad_norm_ before optimizer.step()); the L2 term is added after
// clipping, inside the step, as torch.optim.Adam(weight_decay=...) does. Decoupled
// weight decay (AdamW) is the alternative.
#pragma once
#include <cmath>

#include "common.hpp"
#include "embedding.hpp"

namespace grnfast {

struct AdamConfig {
    double learning_rate = 5e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double l2 = 0.01;          // strength of L2 (or of weight decay when decoupled)
    bool decoupled = false;    // AdamW-style weight decay instead of L2 in the gradient
    double clip_norm = 5.0;    // global-norm threshold; <= 0 disables clipping
    bool lazy_embeddings = false;  // update only the embedding rows in the batch
};

// Factor that brings the global norm down to exactly clip_norm when it is above it.
inline double clip_scale(double norm, double clip_norm) {
    return (clip_norm > 0.0 && norm > clip_norm) ? clip_norm / norm : 1.0;
}

struct AdamStepConstants {
    double step_size;      // lr / (1 - beta1^t)
    double sqrt_bias2;     // sqrt(1 - beta2^t)
    double grad_scale;     // clipping factor
};

inline AdamStepConstants adam_constants(const AdamConfig& c, std::int64_t t, double grad_scale) {
    return {c.learning_rate / (1.0 - std::pow(c.beta1, double(t))), std::sqrt(1.0 - std::pow(c.beta2, double(t))),
            grad_scale};
}

// One Adam update of one parameter from its (unclipped) loss gradient.
template <class T>
inline void adam_update(T& w, T& m, T& v, T grad, const AdamConfig& c, const AdamStepConstants& k) {
    T g = T(k.grad_scale) * grad;
    if (c.decoupled)
        w -= T(c.learning_rate * c.l2) * w;
    else
        g += T(c.l2) * w;
    m = T(c.beta1) * m + T(1 - c.beta1) * g;
    v = T(c.beta2) * v + T(1 - c.beta2) * g * g;
    const T denom = std::sqrt(v) / T(k.sqrt_bias2) + T(c.eps);
    w -= T(k.step_size) * m / denom;
}

template <class T>
double sum_of_squares(const T* x, index_t n, int n_threads) {
    return deterministic_sum(n_threads, n, [x](index_t i) {
        const double v = double(x[i]);
        return v * v;
    });
}

// Adam over a contiguous block of parameters with a full gradient.
template <class T>
void adam_dense(T* w, T* m, T* v, const T* grad, index_t n, const AdamConfig& c, const AdamStepConstants& k,
                int n_threads) {
    constexpr index_t kBlock = 4096;
    parallel_for(n_threads, ceil_div(n, kBlock), 10.0 * n, [&](index_t b) {
        for (index_t i = b * kBlock; i < std::min(n, b * kBlock + kBlock); ++i) adam_update(w[i], m[i], v[i], grad[i], c, k);
    });
}

// Adam over an embedding table whose gradient is given as rows for the ids in
// `plan`. Dense semantics: every row steps (rows outside the batch have a zero
// loss gradient, but L2 and the moments still move them), exactly as a dense
// optimizer would. Lazy semantics: only the batch's rows step.
// slot_of[id] is the row of `grad_rows` for id, or -1 (restored to -1 on return).
template <class T>
void adam_embeddings(T* table, T* m, T* v, index_t n_rows, index_t dim, const EmbeddingGradPlan& plan,
                     const T* grad_rows, std::vector<index_t>& slot_of, const AdamConfig& c,
                     const AdamStepConstants& k, int n_threads) {
    if (c.lazy_embeddings) {
        parallel_for(n_threads, plan.size(), 10.0 * plan.size() * dim, [&](index_t u) {
            const index_t off = plan.unique_ids[static_cast<size_t>(u)] * dim;
            for (index_t j = 0; j < dim; ++j)
                adam_update(table[off + j], m[off + j], v[off + j], grad_rows[u * dim + j], c, k);
        });
        return;
    }
    for (index_t u = 0; u < plan.size(); ++u) slot_of[static_cast<size_t>(plan.unique_ids[static_cast<size_t>(u)])] = u;
    constexpr index_t kRows = 64;
    parallel_for(n_threads, ceil_div(n_rows, kRows), 10.0 * n_rows * dim, [&](index_t b) {
        for (index_t r = b * kRows; r < std::min(n_rows, b * kRows + kRows); ++r) {
            const index_t slot = slot_of[static_cast<size_t>(r)];
            const index_t off = r * dim;
            if (slot >= 0) {
                for (index_t j = 0; j < dim; ++j)
                    adam_update(table[off + j], m[off + j], v[off + j], grad_rows[slot * dim + j], c, k);
            } else {
                for (index_t j = 0; j < dim; ++j) adam_update(table[off + j], m[off + j], v[off + j], T(0), c, k);
            }
        }
    });
    for (index_t id : plan.unique_ids) slot_of[static_cast<size_t>(id)] = -1;
}

}  // namespace grnfast
