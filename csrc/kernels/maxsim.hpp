// MaxSim, ColBERT's late interaction: the score of a regulator's m vectors u_i
// against a target's m vectors v_j (each m x d, row-major) is
//     sum_i max_j u_i . v_j
// (with cosine, each vector is first scaled to unit length). The max picks one
// target vector per regulator vector; ties go to the lowest j, so the pick, and the
// gradient that flows only through it, are the same for any thread count.
#pragma once
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/gemm.hpp"

namespace grnfast {

namespace maxsim_detail {

template <class T>
T dot(const T* a, const T* b, index_t d) {
    T s = 0;
    for (index_t k = 0; k < d; ++k) s += a[k] * b[k];
    return s;
}

// Smooth norm sqrt(|x|^2 + 1e-12), as the two-tower's cosine: defined at zero.
template <class T>
T norm(const T* x, index_t d) {
    return std::sqrt(dot(x, x, d) + T(1e-12));
}

// The m norms of a set's vectors (cosine only).
template <class T>
void norms(const T* x, index_t m, index_t d, T* out) {
    for (index_t i = 0; i < m; ++i) out[i] = norm(x + i * d, d);
}

// s[j] = dot(a, v_j) for the m vectors of v given transposed (vt: d x m), each the
// same sum as dot()'s, k in order from zero; eight sums run side by side in
// registers (one vector lane each) instead of one after another.
template <class T>
void dots_with_all(const T* __restrict a, const T* __restrict vt, index_t m, index_t d, T* __restrict s) {
    constexpr index_t kLanes = 8;
    index_t j0 = 0;
    for (; j0 + kLanes <= m; j0 += kLanes) {
        T acc[kLanes] = {};
        for (index_t k = 0; k < d; ++k) {
            const T ak = a[k];
            const T* row = vt + k * m + j0;
            for (index_t l = 0; l < kLanes; ++l) acc[l] += ak * row[l];
        }
        for (index_t l = 0; l < kLanes; ++l) s[j0 + l] = acc[l];
    }
    for (index_t j = j0; j < m; ++j) {
        T acc = 0;
        for (index_t k = 0; k < d; ++k) acc += a[k] * vt[k * m + j];
        s[j] = acc;
    }
}

}  // namespace maxsim_detail

// The similarity of u_i and v_j: dot product, or cosine given the vectors' norms.
template <class T>
T maxsim_similarity(const T* ui, const T* vj, index_t d, const T* nu_i, const T* nv_j) {
    const T s = maxsim_detail::dot(ui, vj, d);
    return nu_i ? s / (*nu_i * *nv_j) : s;
}

// The MaxSim score of u against v; best (m values, or null) receives each u_i's
// chosen j.
template <class T>
T maxsim(const T* u, const T* v, index_t m, index_t d, bool cosine, index_t* best = nullptr) {
    // Called once per pair in training: the norms' scratch is the thread's, kept
    // between calls, so the hot path does not allocate.
    thread_local std::vector<T> n, scratch;
    if (cosine) {
        n.resize(static_cast<size_t>(2 * m));
        maxsim_detail::norms(u, m, d, n.data());
        maxsim_detail::norms(v, m, d, n.data() + m);
    }
    // v transposed, so that u_i's m dot products are computed together (each as
    // maxsim_similarity's), and a row of them.
    scratch.resize(static_cast<size_t>(m * d + m));
    T* vt = scratch.data();
    T* dots = vt + m * d;
    for (index_t j = 0; j < m; ++j)
        for (index_t k = 0; k < d; ++k) vt[k * m + j] = v[j * d + k];
    T total = 0;
    for (index_t i = 0; i < m; ++i) {
        maxsim_detail::dots_with_all(u + i * d, vt, m, d, dots);
        T top = 0;
        index_t arg = 0;
        for (index_t j = 0; j < m; ++j) {
            const T s = cosine ? dots[j] / (n[size_t(i)] * n[size_t(m + j)]) : dots[j];
            if (j == 0 || s > top) top = s, arg = j;  // strict: a tie keeps the lower j
        }
        total += top;
        if (best) best[i] = arg;
    }
    return total;
}

// d(g * maxsim(u, v))/du into du and /dv into dv (each m x d, overwritten): each
// u_i's gradient comes from its chosen v_j alone, and v_j gathers the gradients of
// the u_i that chose it (summed in order of i).
template <class T>
void maxsim_backward(const T* u, const T* v, index_t m, index_t d, bool cosine, T g, T* du, T* dv) {
    thread_local std::vector<index_t> best;  // as maxsim's scratch: no allocation per pair
    best.resize(static_cast<size_t>(m));
    maxsim(u, v, m, d, cosine, best.data());
    std::fill(du, du + m * d, T(0));
    std::fill(dv, dv + m * d, T(0));
    for (index_t i = 0; i < m; ++i) {
        const index_t j = best[static_cast<size_t>(i)];
        const T* ui = u + i * d;
        const T* vj = v + j * d;
        T* dui = du + i * d;
        T* dvj = dv + j * d;
        if (!cosine) {
            for (index_t k = 0; k < d; ++k) {
                dui[k] = g * vj[k];
                dvj[k] += g * ui[k];
            }
            continue;
        }
        // c = u.v / (|u| |v|);  dc/du = v / (|u||v|) - c u / |u|^2
        const T nu = maxsim_detail::norm(ui, d), nv = maxsim_detail::norm(vj, d);
        const T c = maxsim_detail::dot(ui, vj, d) / (nu * nv);
        for (index_t k = 0; k < d; ++k) {
            dui[k] = g * (vj[k] / (nu * nv) - c * ui[k] / (nu * nu));
            dvj[k] += g * (ui[k] / (nu * nv) - c * vj[k] / (nv * nv));
        }
    }
}

// Every regulator against every target: out (n_u x n_v, row stride n_v) =
// scale * maxsim(U_r, V_t), from U (n_u sets of m vectors, n_u*m x d) and V (n_v
// sets). A tile of regulator vectors times a tile of target vectors is one matrix
// product (all vector pairs), then the max over each target's m columns and the sum
// over each regulator's m rows. Tiles are tasks of fixed size, each on one thread,
// so the result does not depend on the thread count.
template <class T>
void maxsim_grid(const T* U, index_t n_u, const T* V, index_t n_v, index_t m, index_t d, bool cosine, T scale,
                 T* out, int n_threads) {
    if (n_u == 0 || n_v == 0) return;
    // Unit vectors for cosine; the scale goes into the regulator side (max and sum
    // commute with a positive factor).
    std::vector<T> Us(U, U + n_u * m * d), Vs;
    const auto unit_rows = [d](T* M, index_t rows) {
        for (index_t r = 0; r < rows; ++r) {
            const T inv = T(1) / maxsim_detail::norm(M + r * d, d);
            for (index_t k = 0; k < d; ++k) M[r * d + k] *= inv;
        }
    };
    if (cosine) {
        Vs.assign(V, V + n_v * m * d);
        unit_rows(Us.data(), n_u * m);
        unit_rows(Vs.data(), n_v * m);
    }
    for (T& x : Us) x *= scale;
    const T* Vp = cosine ? Vs.data() : V;
    // About 128 x 1024 similarities per tile (512 KiB in float): fits in L2.
    const index_t regs = std::max<index_t>(1, 128 / m), tgts = std::max<index_t>(1, 1024 / m);
    const index_t reg_tiles = ceil_div(n_u, regs), tgt_tiles = ceil_div(n_v, tgts);
    parallel_tasks(
        n_threads, reg_tiles * tgt_tiles, [&] { return std::vector<T>(static_cast<size_t>(regs * m * tgts * m)); },
        [&](std::vector<T>& S, index_t task) {
            const index_t r0 = (task / tgt_tiles) * regs, t0 = (task % tgt_tiles) * tgts;
            const index_t nr = std::min(regs, n_u - r0), nt = std::min(tgts, n_v - t0);
            const index_t cols = nt * m;
            gemm<T>(nr * m, cols, d, {Us.data() + r0 * m * d, d, 1}, {Vp + t0 * m * d, 1, d}, S.data(), cols, false,
                    1);
            for (index_t r = 0; r < nr; ++r)
                for (index_t t = 0; t < nt; ++t) {
                    T total = 0;
                    for (index_t i = 0; i < m; ++i) {
                        const T* row = S.data() + (r * m + i) * cols + t * m;
                        T top = row[0];
                        for (index_t j = 1; j < m; ++j) top = row[j] > top ? row[j] : top;
                        total += top;
                    }
                    out[(r0 + r) * n_v + t0 + t] = total;
                }
        });
}

}  // namespace grnfast
