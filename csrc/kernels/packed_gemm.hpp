// A matrix product whose B is packed once and used for many products on one
// thread, with bias and ReLU applied to each tile while it is in cache: what
// genome-wide scoring runs a small block of pairs through every layer with
// (models/cross_encoder.hpp, score_grid).
//
// The same micro-kernels, panels and depth blocks as gemm (kernels/gemm.hpp), so
// every element of C is summed over k in the same order: C = [bias +] A * B is
// bit-identical to gemm's, whatever the thread that computes it.
#pragma once
#include <algorithm>
#include <vector>

#include "core/vectorised.hpp"
#include "kernels/gemm.hpp"

namespace grnfast {

// B (K x N) in gemm's packed layout: depth blocks of `depth` rows, each a row of
// panels of nr columns, k-major inside a panel, the last panel zero-padded.
template <class T>
struct PackedB {
    index_t K = 0, N = 0, depth = 0, n_panels = 0;
    int nr = 0;
    std::vector<T> data;

    // Packs B (K x N, row-major with row stride ldb), reusing this one's storage.
    void pack(index_t k, index_t n, const T* B, index_t ldb) {
        using namespace gemm_detail;
        require(k >= 0 && n >= 0 && ldb >= n, "PackedB: bad shape");
        K = k, N = n, nr = kernel_for<T>().nr;
        n_panels = ceil_div(N, nr);
        const index_t k_blocks = std::max<index_t>(ceil_div(K, KC), 1);
        depth = std::max<index_t>(ceil_div(K, k_blocks), 1);
        grow_to(data, n_panels * nr * std::max<index_t>(K, 1), "a packed weight matrix");
        const MatView<T> view{B, ldb, 1};
        for (index_t pc = 0; pc < K; pc += depth) {
            const index_t kc = std::min(depth, K - pc);
            for (index_t q = 0; q < n_panels; ++q)
                pack_b_panel(view, q * nr, N - q * nr, pc, kc, nr, data.data() + pc * n_panels * nr + q * nr * kc);
        }
    }
};

// x = max(x, 0), n values.
template <class T>
GRNFAST_VECTORISED inline void relu_in_place(T* __restrict x, index_t n) {
    for (index_t j = 0; j < n; ++j) x[j] = x[j] > T(0) ? x[j] : T(0);
}

// C (M x N, row stride ldc) = A (M x K, row stride lda) * B, on the calling thread:
// C starts from `bias` in every row when given, from C itself when `accumulate`,
// else from zero; with `relu`, max(C, 0) is taken of every element at the end (the
// caller's blocks are small enough that C is still in cache). `scratch` holds the packed last partial panel of A.
template <class T>
void gemm_packed(index_t M, const T* A, index_t lda, const PackedB<T>& B, T* C, index_t ldc, const T* bias,
                 bool accumulate, bool relu, std::vector<T>& scratch) {
    using namespace gemm_detail;
    const Kernel<T>& kernel = kernel_for<T>();
    const int mr = kernel.mr, nr = kernel.nr;
    require(nr == B.nr, "gemm_packed: B was packed for another kernel");
    const index_t N = B.N, K = B.K;
    if (M == 0 || N == 0) return;
    if (bias) {
        for (index_t i = 0; i < M; ++i) std::copy(bias, bias + N, C + i * ldc);
        accumulate = true;
    }
    if (K == 0) {
        for (index_t i = 0; i < M; ++i)
            for (index_t j = 0; j < N; ++j) {
                T& c = C[i * ldc + j];
                c = accumulate ? c : T(0);
                if (relu && !(c > T(0))) c = T(0);
            }
        return;
    }
    const index_t m_panels = ceil_div(M, mr), full = M / mr;
    const MatView<T> a_view{A, lda, 1};
    for (index_t pc = 0; pc < K; pc += B.depth) {
        const index_t kc = std::min(B.depth, K - pc);
        const bool acc = accumulate || pc > 0;
        T* ap = grow_to(scratch, (m_panels - full) * mr * kc, "a packed panel of A");
        pack_a(a_view, full * mr, M - full * mr, pc, kc, mr, ap);
        const T* bk = B.data.data() + pc * B.n_panels * nr;
        for (index_t q = 0; q < B.n_panels; ++q) {
            const int nv = static_cast<int>(std::min<index_t>(nr, N - q * nr));
            for (index_t p = 0; p < m_panels; ++p) {
                const int mv = static_cast<int>(std::min<index_t>(mr, M - p * mr));
                T* c = C + p * mr * ldc + q * nr;
                if (p < full)
                    kernel.fn(kc, A + p * mr * lda + pc, lda, 1, bk + q * nr * kc, c, ldc, mr, nv, acc);
                else
                    kernel.fn(kc, ap + (p - full) * mr * kc, 1, mr, bk + q * nr * kc, c, ldc, mv, nv, acc);
            }
        }
    }
    if (relu)  // the rows are still in cache: the block is small
        for (index_t i = 0; i < M; ++i) relu_in_place(C + i * ldc, N);
}

}  // namespace grnfast
