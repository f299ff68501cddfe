// A stack of fully connected layers, each followed by fused batch norm + ReLU +
// dropout, except the last when it is the linear output of a tower or a head.
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "kernels/batchnorm.hpp"
#include "kernels/dense.hpp"
#include "models/layout.hpp"
#include "kernels/random.hpp"

namespace grnfast {

// Where dropout draws come from in one forward pass.
struct DropoutContext {
    std::uint64_t seed = 0;
    std::uint64_t epoch = 0;
    const index_t* sample_ids = nullptr;  // one id per batch row: the sample's index in the training set
};

template <class T>
class MLP {
   public:
    MLP(Layout& layout, const std::string& prefix, index_t in_dim, const std::vector<index_t>& sizes,
        bool linear_output, const ModelSpec& spec, std::uint64_t stream)
        : in_dim_(in_dim), out_dim_(sizes.empty() ? in_dim : sizes.back()), dropout_(spec.dropout), stream_(stream) {
        bn_.enabled = spec.batch_norm;
        bn_.momentum = spec.bn_momentum;
        bn_.eps = spec.bn_eps;
        index_t in = in_dim;
        for (size_t l = 0; l < sizes.size(); ++l) {
            Layer L;
            L.in = in;
            L.out = sizes[l];
            const std::string p = prefix + std::to_string(l) + ".";
            L.w = layout.add_param(p + "weight", "weight", {L.in, L.out});
            L.b = layout.add_param(p + "bias", "bias", {L.out});
            L.activated = !(linear_output && l + 1 == sizes.size());
            if (L.activated && bn_.enabled) {
                L.gamma = layout.add_param(p + "bn_scale", "bn_scale", {L.out});
                L.beta = layout.add_param(p + "bn_shift", "bn_shift", {L.out});
                L.running_mean = layout.add_buffer(p + "running_mean", "running_mean", {L.out});
                L.running_var = layout.add_buffer(p + "running_var", "running_var", {L.out});
            }
            layers_.push_back(std::move(L));
            in = sizes[l];
        }
    }

    index_t out_dim() const { return out_dim_; }

    void reserve(index_t max_batch) {
        for (Layer& L : layers_) {
            const index_t n = max_batch * L.out;
            const char* what = "the layers' work buffers for a batch";
            for (auto* v : {&L.z, &L.d}) grow_to(*v, n, what);
            if (L.activated) {
                for (auto* v : {&L.a, &L.x_hat, &L.gate}) grow_to(*v, n, what);
                for (auto* v : {&L.mean, &L.invstd}) grow_to(*v, L.out, what);
            }
        }
    }

    // The same layers, with work buffers for the evaluation forward of up to
    // max_batch rows and no others: what each scoring thread runs its chunks with
    // (the training buffers of this one are left alone, and not copied).
    MLP evaluation_copy(index_t max_batch) const { return MLP(*this, max_batch); }

   private:
    // Layers from the activation of layer 0 on, with layer 0's z already in place.
    const T* continue_forward(const T* params, T* buffers, index_t batch, int n_threads, bool training = false,
                              const DropoutContext& ctx = {}) {
        const T* cur = nullptr;
        for (size_t l = 0; l < layers_.size(); ++l) {
            Layer& L = layers_[l];
            if (l > 0) dense_forward(batch, L.in, L.out, cur, params + L.w, params + L.b, L.z.data(), n_threads);
            if (L.activated) {
                DropoutKey key{ctx.seed, ctx.epoch, stream_ * 64 + l, DropoutKey::threshold_for(dropout_)};
                const bool bn = bn_.enabled;
                bn_relu_dropout_forward(batch, L.out, L.z.data(), bn ? params + L.gamma : nullptr,
                                        bn ? params + L.beta : nullptr, bn ? buffers + L.running_mean : nullptr,
                                        bn ? buffers + L.running_var : nullptr, bn_, training, dropout_, key,
                                        ctx.sample_ids, cache(L), L.a.data(), n_threads);
                cur = L.a.data();
            } else {
                cur = L.z.data();
            }
        }
        return cur;
    }

   public:
    // Forward from layer 0's pre-activation, which the model has written into
    // first_preactivation() (batch x first width, up to the reserved batch) from
    // per-gene parts of its first layer (GeneLayer). Evaluation mode leaves buffers
    // alone; training mode updates the running statistics in them.
    T* first_preactivation() { return layers_[0].z.data(); }
    const T* forward_from_first_preactivation(const T* params, const T* buffers, index_t batch, int n_threads) {
        return continue_forward(params, const_cast<T*>(buffers), batch, n_threads);
    }
    const T* train_from_first_preactivation(const T* params, T* buffers, index_t batch, const DropoutContext& ctx,
                                            int n_threads) {
        return continue_forward(params, buffers, batch, n_threads, true, ctx);
    }

    // Each layer's output from the last forward call (batch x width): after the
    // activation for hidden layers, the linear output for the last one.
    std::vector<std::pair<const T*, index_t>> layer_outputs() const {
        std::vector<std::pair<const T*, index_t>> out;
        for (const Layer& L : layers_) out.push_back({L.activated ? L.a.data() : L.z.data(), L.out});
        return out;
    }

    // The last layer's output from the last forward call (batch x out_dim), writable:
    // a tower adds its feature skip to it (a linear output is not read by backward).
    T* output() {
        Layer& L = layers_.back();
        return L.activated ? L.a.data() : L.z.data();
    }

    // Evaluation mode folded into each layer, for scoring: batch norm with its running
    // statistics is one scale and shift per unit (the evaluation forward's own formula,
    // kernels/batchnorm.hpp), so ReLU(BN(x W + b)) = ReLU(x (W scale) + (b scale +
    // shift)). Per layer: weight (in x out) and bias so folded, the scale and shift
    // themselves (1 and 0 without batch norm, or for the linear output), and whether
    // a ReLU follows. The same numbers up to rounding; nothing here is stored.
    struct FoldedLayer {
        index_t in = 0, out = 0;
        std::vector<T> weight, bias, scale, shift;
        bool relu = false;
    };
    std::vector<FoldedLayer> folded_for_evaluation(const T* params, const T* buffers) const {
        std::vector<FoldedLayer> out;
        for (const Layer& L : layers_) {
            FoldedLayer F;
            F.in = L.in, F.out = L.out, F.relu = L.activated;
            const char* what = "the folded weights of a layer";
            resize_buffer(F.weight, L.in * L.out, what);
            for (auto* v : {&F.bias, &F.scale, &F.shift}) resize_buffer(*v, L.out, what);
            const bool bn = L.activated && bn_.enabled;
            for (index_t j = 0; j < L.out; ++j) {
                F.scale[j] = bn ? params[L.gamma + j] / std::sqrt(buffers[L.running_var + j] + T(bn_.eps)) : T(1);
                F.shift[j] = bn ? params[L.beta + j] - buffers[L.running_mean + j] * F.scale[j] : T(0);
                F.bias[j] = params[L.b + j] * F.scale[j] + F.shift[j];
            }
            for (index_t i = 0; i < L.in; ++i)
                for (index_t j = 0; j < L.out; ++j) F.weight[i * L.out + j] = params[L.w + i * L.out + j] * F.scale[j];
            out.push_back(std::move(F));
        }
        return out;
    }

    index_t first_width() const { return layers_.empty() ? in_dim_ : layers_[0].out; }
    index_t first_weight() const { return layers_[0].w; }
    index_t first_bias() const { return layers_[0].b; }

    // From d(loss)/d(output), the backward pass down to d(loss)/d(layer 0's
    // pre-activation), returned (batch x first width): parameter gradients into grads
    // (same layout as params) for every layer but layer 0's weights and bias, which
    // the models compute from their genes' rows (once per distinct gene of the batch).
    const T* backward_to_first_preactivation(const T* params, T* grads, const T* d_out, index_t batch,
                                             int n_threads) {
        const T* d = d_out;
        for (size_t l = layers_.size(); l-- > 0;) {
            Layer& L = layers_[l];
            if (L.activated) {
                const bool bn = bn_.enabled;
                bn_relu_dropout_backward(batch, L.out, d, bn ? params + L.gamma : nullptr, bn_, cache(L),
                                         bn ? grads + L.gamma : nullptr, bn ? grads + L.beta : nullptr,
                                         L.d.data(), n_threads);
                d = L.d.data();
            }
            if (l == 0) break;
            T* d_in = layers_[l - 1].d.data();
            dense_backward(batch, L.in, L.out, layers_[l - 1].a.data(), params + L.w, d, grads + L.w, grads + L.b,
                           d_in, n_threads);
            d = d_in;
        }
        return d;
    }

   private:
    MLP(const MLP& other, index_t max_batch)
        : in_dim_(other.in_dim_), out_dim_(other.out_dim_), dropout_(other.dropout_), stream_(other.stream_),
          bn_(other.bn_) {
        for (const Layer& o : other.layers_) {
            Layer L;
            L.in = o.in, L.out = o.out, L.w = o.w, L.b = o.b, L.gamma = o.gamma, L.beta = o.beta;
            L.running_mean = o.running_mean, L.running_var = o.running_var, L.activated = o.activated;
            const char* what = "a scoring thread's layer outputs";
            resize_buffer(L.z, max_batch * L.out, what);
            if (L.activated) {
                resize_buffer(L.a, max_batch * L.out, what);
                resize_buffer(L.mean, L.out, what);
                resize_buffer(L.invstd, L.out, what);
            }
            layers_.push_back(std::move(L));
        }
    }

    struct Layer {
        index_t in = 0, out = 0;
        index_t w = 0, b = 0, gamma = 0, beta = 0, running_mean = 0, running_var = 0;
        bool activated = true;
        std::vector<T> z, a, x_hat, gate, mean, invstd, d;
    };
    BatchNormCache<T> cache(Layer& L) { return {L.x_hat.data(), L.gate.data(), L.mean.data(), L.invstd.data()}; }

    index_t in_dim_, out_dim_;
    double dropout_;
    std::uint64_t stream_;
    BatchNormConfig bn_;
    std::vector<Layer> layers_;
};

}  // namespace grnfast
