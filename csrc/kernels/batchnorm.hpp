// Batch norm, ReLU and dropout fused into one pass each way.
//
// Training: batch statistics (biased variance to normalise, unbiased to update the
// running estimates, as PyTorch does); evaluation: running statistics. The forward
// pass keeps x_hat and one multiplier per unit (ReLU gate times dropout scale), which
// is all the backward pass needs.
#pragma once
#include <cmath>

#include "core/parallel.hpp"
#include "core/vectorised.hpp"
#include "kernels/random.hpp"

namespace grnfast {

struct BatchNormConfig {
    bool enabled = true;
    double momentum = 0.1;
    double eps = 1e-5;
};

template <class T>
struct BatchNormCache {
    T* x_hat;   // (batch x width) normalised input
    T* gate;    // (batch x width) d(output)/d(pre-ReLU value): 0, 1 or 1/(1-p)
    T* mean;    // (width) batch mean
    T* invstd;  // (width) 1/sqrt(batch var + eps)
};

// One row in training mode (or without batch norm, with x_hat unused): y = gamma *
// x_hat + beta; gate = keep_scale where y > 0 and dropout keeps the unit (its 16
// random bits, when `draws` is given, at least `threshold`), else 0; a = gate * y.
template <class T>
GRNFAST_VECTORISED inline void bn_relu_row(const T* __restrict z, const T* __restrict mean,
                                           const T* __restrict invstd, const T* __restrict gamma,
                                           const T* __restrict beta, bool bn, T keep_scale,
                                           const std::uint16_t* __restrict draws, std::uint32_t threshold,
                                           T* __restrict x_hat, T* __restrict gate, T* __restrict a, index_t n) {
    for (index_t j = 0; j < n; ++j) {
        T y = z[j];
        if (bn) {
            x_hat[j] = (z[j] - mean[j]) * invstd[j];
            y = gamma[j] * x_hat[j] + beta[j];
        }
        const bool kept = draws ? draws[j] >= threshold : true;
        gate[j] = y > T(0) && kept ? keep_scale : T(0);
        a[j] = gate[j] * y;
    }
}

// One row in evaluation mode, batch norm folded into scale and shift:
// a = max(z * scale + shift, 0).
template <class T>
GRNFAST_VECTORISED inline void affine_relu_row(const T* __restrict z, const T* __restrict scale,
                                               const T* __restrict shift, T* __restrict a, index_t n) {
    for (index_t j = 0; j < n; ++j) {
        const T y = z[j] * scale[j] + shift[j];
        a[j] = y > T(0) ? y : T(0);
    }
}

// Batch statistics of columns [0, n) of a (batch x ld) block, each column summed
// over the rows in order: mean[j] = sum_r z[r, j] / batch and sq[j] = sum_r (z[r, j]
// - mean[j])^2.
template <class T>
GRNFAST_VECTORISED inline void column_moments(const T* __restrict z, index_t batch, index_t ld, index_t n,
                                              T* __restrict mean, T* __restrict sq) {
    for (index_t j = 0; j < n; ++j) mean[j] = T(0);
    for (index_t r = 0; r < batch; ++r)
        for (index_t j = 0; j < n; ++j) mean[j] += z[r * ld + j];
    for (index_t j = 0; j < n; ++j) mean[j] /= T(batch);
    for (index_t j = 0; j < n; ++j) sq[j] = T(0);
    for (index_t r = 0; r < batch; ++r)
        for (index_t j = 0; j < n; ++j) {
            const T d = z[r * ld + j] - mean[j];
            sq[j] += d * d;
        }
}

// The backward pass over columns [0, n) of a (batch x ld) block: dy = dA * gate;
// dbeta = sum dy; dgamma = sum dy * x_hat; dZ = gamma * invstd / B * (B dy - dbeta
// - x_hat dgamma). dZ may be dA (in place): each element is read before it is written.
template <class T>
GRNFAST_VECTORISED inline void bn_backward_columns(const T* dA, const T* __restrict gate,
                                                   const T* __restrict x_hat, const T* __restrict gamma,
                                                   const T* __restrict invstd, index_t batch, index_t ld, index_t n,
                                                   T* __restrict dgamma, T* __restrict dbeta, T* dZ) {
    for (index_t j = 0; j < n; ++j) dgamma[j] = dbeta[j] = T(0);
    for (index_t r = 0; r < batch; ++r)
        for (index_t j = 0; j < n; ++j) {
            const T dy = dA[r * ld + j] * gate[r * ld + j];
            dbeta[j] += dy;
            dgamma[j] += dy * x_hat[r * ld + j];
        }
    const T b = T(batch);
    for (index_t r = 0; r < batch; ++r)
#pragma GCC ivdep
        for (index_t j = 0; j < n; ++j) {
            const T dy = dA[r * ld + j] * gate[r * ld + j];
            dZ[r * ld + j] = gamma[j] * invstd[j] / b * (b * dy - dbeta[j] - x_hat[r * ld + j] * dgamma[j]);
        }
}

// The 16 random bits of each of a row's `width` units: one 64-bit draw per four
// units (as DropoutKey::dropped reads them).
inline void dropout_draws(const DropoutKey& key, std::uint64_t base, index_t width, std::uint16_t* draws) {
    for (index_t j0 = 0; j0 < width; j0 += 4) {
        const std::uint64_t bits = key.group_bits(base, j0);
        for (index_t q = 0; q < 4; ++q) draws[j0 + q] = static_cast<std::uint16_t>(bits >> (16 * q));
    }
}

// Z (batch x width) -> A. gamma/beta/running stats are ignored when bn is disabled;
// dropout applies only when training and p > 0, keyed by sample id.
template <class T>
void bn_relu_dropout_forward(index_t batch, index_t width, const T* Z, const T* gamma, const T* beta,
                             T* running_mean, T* running_var, const BatchNormConfig& bn, bool training,
                             double p_drop, const DropoutKey& key, const index_t* sample_ids,
                             BatchNormCache<T> cache, T* A, int n_threads) {
    constexpr index_t kCols = 64;
    if (training && bn.enabled) {
        require(batch > 1, "batch norm in training needs at least 2 samples per batch");
        parallel_for(n_threads, ceil_div(width, kCols), 3.0 * batch * width, [&](index_t b) {
            const index_t j0 = b * kCols, n = std::min(width, j0 + kCols) - j0;
            // invstd holds the sums of squares until the loop below
            column_moments(Z + j0, batch, width, n, cache.mean + j0, cache.invstd + j0);
            const T m = T(bn.momentum);
            for (index_t j = j0; j < j0 + n; ++j) {
                const T var = cache.invstd[j] / T(batch);
                running_mean[j] = (T(1) - m) * running_mean[j] + m * cache.mean[j];
                running_var[j] = (T(1) - m) * running_var[j] + m * cache.invstd[j] / T(batch - 1);
                cache.invstd[j] = T(1) / std::sqrt(var + T(bn.eps));
            }
        });
    } else if (!training) {
        // Evaluation: fold the running statistics into one scale and shift per unit
        // (kept in the cache's mean / invstd slots) and skip the backward cache.
        for (index_t j = 0; j < width; ++j) {
            const T scale = bn.enabled ? gamma[j] / std::sqrt(running_var[j] + T(bn.eps)) : T(1);
            cache.invstd[j] = scale;
            cache.mean[j] = bn.enabled ? beta[j] - running_mean[j] * scale : T(0);
        }
        parallel_for(n_threads, ceil_div(batch, 16), 2.0 * batch * width, [&](index_t b) {
            for (index_t r = b * 16; r < std::min(batch, b * 16 + 16); ++r)
                affine_relu_row(Z + r * width, cache.invstd, cache.mean, A + r * width, width);
        });
        return;
    }
    const bool drop = p_drop > 0.0;
    const T keep_scale = drop ? T(1.0 / (1.0 - p_drop)) : T(1);
    parallel_for(n_threads, ceil_div(batch, 16), 4.0 * batch * width, [&](index_t b) {
        thread_local std::vector<std::uint16_t> draws;
        std::uint16_t* d = drop ? grow_to(draws, ceil_div(width, 4) * 4) : nullptr;
        for (index_t r = b * 16; r < std::min(batch, b * 16 + 16); ++r) {
            if (drop) dropout_draws(key, key.sample_base(sample_ids[r]), width, d);
            bn_relu_row(Z + r * width, cache.mean, cache.invstd, gamma, beta, bn.enabled, keep_scale, d,
                        key.threshold16, cache.x_hat + r * width, cache.gate + r * width, A + r * width, width);
        }
    });
}

// dA -> dZ (may alias dA), and dgamma/dbeta when bn is enabled.
template <class T>
void bn_relu_dropout_backward(index_t batch, index_t width, const T* dA, const T* gamma, const BatchNormConfig& bn,
                              BatchNormCache<T> cache, T* dgamma, T* dbeta, T* dZ, int n_threads) {
    constexpr index_t kCols = 64;
    if (!bn.enabled) {
        parallel_for(n_threads, ceil_div(batch, 16), double(batch) * width, [&](index_t b) {
            for (index_t i = b * 16 * width; i < std::min(batch, b * 16 + 16) * width; ++i)
                dZ[i] = dA[i] * cache.gate[i];
        });
        return;
    }
    parallel_for(n_threads, ceil_div(width, kCols), 6.0 * batch * width, [&](index_t b) {
        const index_t j0 = b * kCols, n = std::min(width, j0 + kCols) - j0;
        bn_backward_columns(dA + j0, cache.gate + j0, cache.x_hat + j0, gamma + j0, cache.invstd + j0, batch, width,
                            n, dgamma + j0, dbeta + j0, dZ + j0);
    });
}

}  // namespace grnfast
