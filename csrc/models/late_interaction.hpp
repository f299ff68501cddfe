// Late interaction: the two-tower model (same towers, per-gene first layer, fused
// kernels, batch norm, dropout and graph encoder) whose towers each end in n_vectors
// vectors per gene instead of one, scored by MaxSim (kernels/maxsim.hpp): the sum
// over the regulator's vectors of the best dot product (or cosine) with the target's
// vectors, over the temperature. Tower outputs still depend on one gene each, so a
// genome is scored from per-gene vectors computed once.
#pragma once
#include "kernels/maxsim.hpp"
#include "models/two_tower.hpp"

namespace grnfast {

template <class T>
class LateInteraction : public TwoTower<T> {
   public:
    explicit LateInteraction(const ModelSpec& spec) : TwoTower<T>(spec) {}

    index_t n_vectors() const { return this->spec().n_vectors; }
    index_t vector_dim() const { return this->output_dim() / n_vectors(); }

    T score(const T* u, const T* v) const override {
        return maxsim(u, v, n_vectors(), vector_dim(), this->spec().cosine) * inv_temperature();
    }

    void score_backward(const T* u, const T* v, T g, T* du, T* dv) const override {
        maxsim_backward(u, v, n_vectors(), vector_dim(), this->spec().cosine, g * inv_temperature(), du, dv);
    }

    void score_outputs(const T* u, index_t n_u, const T* v, index_t n_v, T* out, int n_threads) const override {
        maxsim_grid(u, n_u, v, n_v, n_vectors(), vector_dim(), this->spec().cosine, inv_temperature(), out,
                    n_threads);
    }

   private:
    T inv_temperature() const { return T(1) / T(this->spec().temperature); }
};

}  // namespace grnfast
