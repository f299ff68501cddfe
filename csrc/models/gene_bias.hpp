// A learned propensity per gene and role added to every model's logit: logit +=
// b_reg[regulator] + b_tgt[target]. It is what the gene-identity baseline (logistic
// regression on one-hot regulator and target) learns, so with it a model contains
// that baseline: how many targets a known regulator has, how many regulators a known
// target has, whatever the other gene of the pair. A gene without its identity (ids
// g + n_genes: never seen in that role, or its identity dropped) has no propensity:
// 0. The biases start at 0 (grnfast/models/_parameters.py).
#pragma once
#include <algorithm>

#include "core/parallel.hpp"
#include "models/layout.hpp"

namespace grnfast {

template <class T>
class GeneBias {
   public:
    // Adds the (n_genes x 2) group, [regulator bias, target bias] per gene, to the
    // end of the layout when the spec asks for it.
    void add_to(Layout& layout, const ModelSpec& spec) {
        n_genes_ = spec.n_genes;
        if (spec.gene_bias) offset_ = layout.add_param("gene_bias", "gene_bias", {spec.n_genes, 2});
    }

    bool enabled() const { return offset_ >= 0; }

    // logits[r] += b_reg[reg[r * stride]] + b_tgt[tgt[r * stride]] for r < n.
    void add(const T* params, const index_t* reg, const index_t* tgt, index_t stride, index_t n, T* logits) const {
        if (!enabled()) return;
        for (index_t r = 0; r < n; ++r) logits[r] += of(params, reg[r * stride], 0) + of(params, tgt[r * stride], 1);
    }

    // out (n_reg x n_tgt, row-major) += b_reg[regs[i]] + b_tgt[tgts[j]].
    void add_grid(const T* params, const index_t* regs, index_t n_reg, const index_t* tgts, index_t n_tgt, T* out,
                  int n_threads) const {
        if (!enabled()) return;
        parallel_for(n_threads, n_reg, double(n_reg) * n_tgt, [&](index_t i) {
            const T b = of(params, regs[i], 0);
            T* row = out + i * n_tgt;
            for (index_t j = 0; j < n_tgt; ++j) row[j] += b + of(params, tgts[j], 1);
        });
    }

    // d(loss)/d(biases) into grads from each pair's d(loss)/d(logit), summed per gene
    // in pair order (one thread: a batch is a few hundred pairs, and the order fixes
    // the sum bit for bit).
    void backward(const T* dlogits, const index_t* reg, const index_t* tgt, index_t n, T* grads) const {
        if (!enabled()) return;
        std::fill(grads + offset_, grads + offset_ + 2 * n_genes_, T(0));
        for (index_t r = 0; r < n; ++r) {
            if (reg[r] < n_genes_) grads[offset_ + 2 * reg[r]] += dlogits[r];
            if (tgt[r] < n_genes_) grads[offset_ + 2 * tgt[r] + 1] += dlogits[r];
        }
    }

    // The grid's part of backward: d(loss)/d(out) of add_grid's (n_reg x n_tgt) block,
    // added to grads per gene, row by row.
    void add_grid_backward(const T* dgrid, const index_t* regs, index_t n_reg, const index_t* tgts, index_t n_tgt,
                           T* grads) const {
        if (!enabled()) return;
        for (index_t i = 0; i < n_reg; ++i)
            for (index_t j = 0; j < n_tgt; ++j) {
                const T d = dgrid[i * n_tgt + j];
                if (regs[i] < n_genes_) grads[offset_ + 2 * regs[i]] += d;
                if (tgts[j] < n_genes_) grads[offset_ + 2 * tgts[j] + 1] += d;
            }
    }

   private:
    T of(const T* params, index_t id, int role) const {
        return id < n_genes_ ? params[offset_ + 2 * id + role] : T(0);
    }

    index_t n_genes_ = 0;
    index_t offset_ = -1;
};

}  // namespace grnfast
