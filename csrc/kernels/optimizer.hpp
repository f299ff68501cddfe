// Global-norm gradient clipping fused with the Adam step.
//
// The clipping factor comes from the norm of the loss gradient alone (as with
// torch.nn.utils.clip_grad_norm_ before optimizer.step()); the L2 term is added after
// clipping, inside the step, as torch.optim.Adam(weight_decay=...) does. Decoupled
// weight decay (AdamW) is the alternative.
#pragma once
#include <cmath>

#include "core/parallel.hpp"
#include "core/vectorised.hpp"
#include "kernels/embedding.hpp"

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

// The scalars of one step, in the parameters' type. L2 and decoupled decay share
// one branch-free update: in L2 mode keep = 1 and l2 > 0, in decoupled mode
// keep = 1 - lr * l2 and l2 = 0 (multiplying by 1 and adding 0 change nothing).
template <class T>
struct AdamScalars {
    T scale, l2, keep, beta1, one_minus_beta1, beta2, one_minus_beta2, sqrt_bias2, eps, step_size;

    AdamScalars(const AdamConfig& c, const AdamStepConstants& k)
        : scale(T(k.grad_scale)),
          l2(c.decoupled ? T(0) : T(c.l2)),
          keep(c.decoupled ? T(1.0 - c.learning_rate * c.l2) : T(1)),
          beta1(T(c.beta1)),
          one_minus_beta1(T(1.0 - c.beta1)),
          beta2(T(c.beta2)),
          one_minus_beta2(T(1.0 - c.beta2)),
          sqrt_bias2(T(k.sqrt_bias2)),
          eps(T(c.eps)),
          step_size(T(k.step_size)) {}
};

// Adam on n parameters; grad may be null (a zero loss gradient). PyTorch's order:
// AdamW decays w first; L2 adds l2 * w to the clipped gradient. The test on grad
// sits outside the loops so that each loop vectorises.
template <class T>
GRNFAST_VECTORISED inline void adam_span(T* __restrict w, T* __restrict m, T* __restrict v, const T* __restrict grad,
                                         index_t n, const AdamScalars<T>& s) {
    if (grad) {
        for (index_t i = 0; i < n; ++i) {
            const T g = s.scale * grad[i] + s.l2 * w[i];
            m[i] = s.beta1 * m[i] + s.one_minus_beta1 * g;
            v[i] = s.beta2 * v[i] + s.one_minus_beta2 * g * g;
            w[i] = w[i] * s.keep - s.step_size * m[i] / (std::sqrt(v[i]) / s.sqrt_bias2 + s.eps);
        }
    } else {
        for (index_t i = 0; i < n; ++i) {
            const T g = s.l2 * w[i];
            m[i] = s.beta1 * m[i] + s.one_minus_beta1 * g;
            v[i] = s.beta2 * v[i] + s.one_minus_beta2 * g * g;
            w[i] = w[i] * s.keep - s.step_size * m[i] / (std::sqrt(v[i]) / s.sqrt_bias2 + s.eps);
        }
    }
}

// Sum of squares of x[0..n) in double, as eight interleaved partial sums (element i
// goes to lane i % 8) added in order at the end: a fixed order, which the compiler
// can vectorise without -ffast-math.
template <class T>
GRNFAST_VECTORISED inline double sum_of_squares_span(const T* __restrict x, index_t n) {
    double lane[8] = {};
    index_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; ++l) lane[l] += double(x[i + l]) * double(x[i + l]);
    for (; i < n; ++i) lane[i % 8] += double(x[i]) * double(x[i]);
    double total = 0.0;
    for (double s : lane) total += s;
    return total;
}

template <class T>
double sum_of_squares(const T* x, index_t n, int n_threads) {
    return deterministic_sum(n_threads, n, [x](index_t begin, index_t end) {
        return sum_of_squares_span(x + begin, end - begin);
    });
}

// Adam over a contiguous block of parameters with a full gradient.
template <class T>
void adam_dense(T* w, T* m, T* v, const T* grad, index_t n, const AdamConfig& c, const AdamStepConstants& k,
                int n_threads) {
    constexpr index_t kBlock = 4096;
    const AdamScalars<T> s(c, k);
    parallel_for(n_threads, ceil_div(n, kBlock), 10.0 * n, [&](index_t b) {
        const index_t i = b * kBlock;
        adam_span(w + i, m + i, v + i, grad + i, std::min(kBlock, n - i), s);
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
    const AdamScalars<T> s(c, k);
    if (c.lazy_embeddings) {
        parallel_for(n_threads, plan.size(), 10.0 * plan.size() * dim, [&](index_t u) {
            const index_t off = plan.unique_ids[static_cast<size_t>(u)] * dim;
            adam_span(table + off, m + off, v + off, grad_rows + u * dim, dim, s);
        });
        return;
    }
    for (index_t u = 0; u < plan.size(); ++u) slot_of[static_cast<size_t>(plan.unique_ids[static_cast<size_t>(u)])] = u;
    constexpr index_t kRows = 64;
    parallel_for(n_threads, ceil_div(n_rows, kRows), 10.0 * n_rows * dim, [&](index_t b) {
        for (index_t r = b * kRows; r < std::min(n_rows, b * kRows + kRows); ++r) {
            const index_t slot = slot_of[static_cast<size_t>(r)];
            const index_t off = r * dim;
            adam_span(table + off, m + off, v + off, slot >= 0 ? grad_rows + slot * dim : nullptr, dim, s);
        }
    });
    for (index_t id : plan.unique_ids) slot_of[static_cast<size_t>(id)] = -1;
}

}  // namespace grnfast
