// Binary cross-entropy from logits, in the stable form
//   l(z, y) = max(z, 0) - z y + log(1 + exp(-|z|)),
// whose derivative is exactly sigmoid(z) - y: the sigmoid is applied once, here.
#pragma once
#include <cmath>

#include "core/common.hpp"

namespace grnfast {

template <class T>
inline T stable_sigmoid(T z) {
    if (z >= T(0)) return T(1) / (T(1) + std::exp(-z));
    const T e = std::exp(z);
    return e / (T(1) + e);
}

// Sum over the n logits of weight_i * l(z_i, y_i) over `denominator` (default n: the
// mean); dlogits_i = weight_i (p_i - y_i) / denominator. weights may be null (all
// ones). Returns the loss.
template <class T>
double bce_with_logits(index_t n, const T* logits, const T* y, const T* weights, T* dlogits, double denominator = 0) {
    double total = 0.0;
    if (denominator <= 0) denominator = double(n);
    const T inv_batch = T(1) / T(denominator);
    for (index_t i = 0; i < n; ++i) {
        const T z = logits[i];
        const T w = weights ? weights[i] : T(1);
        const T l = std::max(z, T(0)) - z * y[i] + std::log1p(std::exp(-std::abs(z)));
        total += static_cast<double>(w * l);
        if (dlogits) dlogits[i] = w * (stable_sigmoid(z) - y[i]) * inv_batch;
    }
    return total / denominator;
}

}  // namespace grnfast
