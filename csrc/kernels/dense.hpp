// Fully connected layer: Y = X W + b with W stored (in x out), row-major.
#pragma once
#include "kernels/gemm.hpp"

namespace grnfast {

// Sums of each column of a (rows x cols) matrix, one column block per task,
// rows in order: deterministic for any thread count.
template <class T>
void column_sums(index_t rows, index_t cols, const T* M, T* out, int n_threads) {
    constexpr index_t kCols = 64;
    parallel_for(n_threads, ceil_div(cols, kCols), double(rows) * cols, [&](index_t b) {
        const index_t j0 = b * kCols, j1 = std::min(cols, j0 + kCols);
        for (index_t j = j0; j < j1; ++j) out[j] = T(0);
        for (index_t r = 0; r < rows; ++r)
            for (index_t j = j0; j < j1; ++j) out[j] += M[r * cols + j];
    });
}

// out[u, :] = sum of the rows r of M (rows x cols) with group[r] == u, rows in
// order, one column block per task: deterministic for any thread count.
template <class T>
void group_sums(index_t rows, index_t cols, const T* M, const index_t* group, index_t n_groups, T* out,
                int n_threads) {
    constexpr index_t kCols = 64;
    parallel_for(n_threads, ceil_div(cols, kCols), double(rows) * cols, [&](index_t b) {
        const index_t j0 = b * kCols, j1 = std::min(cols, j0 + kCols);
        for (index_t u = 0; u < n_groups; ++u) std::fill(out + u * cols + j0, out + u * cols + j1, T(0));
        for (index_t r = 0; r < rows; ++r) {
            T* dst = out + group[r] * cols;
            for (index_t j = j0; j < j1; ++j) dst[j] += M[r * cols + j];
        }
    });
}

template <class T>
void dense_forward(index_t batch, index_t in, index_t out, const T* X, const T* W, const T* b, T* Y,
                   int n_threads) {
    gemm<T>(batch, out, in, {X, in, 1}, {W, out, 1}, Y, out, false, n_threads, b);
}

// dW = X^T dY, db = column sums of dY, and dX = dY W^T when dX is not null.
template <class T>
void dense_backward(index_t batch, index_t in, index_t out, const T* X, const T* W, const T* dY, T* dW, T* db,
                    T* dX, int n_threads) {
    gemm<T>(in, out, batch, {X, 1, in}, {dY, out, 1}, dW, out, false, n_threads);
    column_sums(batch, out, dY, db, n_threads);
    if (dX) gemm<T>(batch, in, out, {dY, out, 1}, {W, 1, out}, dX, in, false, n_threads);
}

}  // namespace grnfast
