// Late interaction: the two-tower model (same towers, per-gene first layer, fused
// kernels, batch norm, dropout and graph encoder) whose towers each end in n_vectors
// vectors per gene instead of one, scored by MaxSim (kernels/maxsim.hpp): the sum
// over the regulator's vectors of the best dot product (or cosine) with the target's
// vectors, divided by n_vectors and the temperature. Without the 1 / n_vectors the
// logits' range grows with n_vectors (the first epoch's loss doubles from 2 to 4
// vectors) and validation AUPRC falls as vectors are added; with it, n_vectors = 1
// is the two-tower exactly. Tower outputs still depend on one gene each, so a genome
// is scored from per-gene vectors computed once.
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
        return maxsim(u, v, n_vectors(), vector_dim(), this->spec().cosine) * score_scale();
    }

    void score_backward(const T* u, const T* v, T g, T* du, T* dv) const override {
        maxsim_backward(u, v, n_vectors(), vector_dim(), this->spec().cosine, g * score_scale(), du, dv);
    }

    void score_outputs(const T* u, index_t n_u, const T* v, index_t n_v, T* out, int n_threads) const override {
        maxsim_grid(u, n_u, v, n_v, n_vectors(), vector_dim(), this->spec().cosine, score_scale(), out,
                    n_threads);
    }

   private:
    // 1 / (temperature * n_vectors): the mean of the regulator vectors' best matches.
    T score_scale() const { return T(1) / T(this->spec().temperature * double(n_vectors())); }
};

}  // namespace grnfast
